/**
 * The personal node's settings (DESIGN §4.7): storage budget, upload and download caps, "seed
 * what I watch", and per item a pin and a price per slice. Strictly parsed (unknown keys and
 * out-of-range values are refused with `SeedSettingsError` naming the field), kept in IndexedDB
 * so they survive reloads, and cached so hot paths (a wire's price, the bucket's rate) read
 * them synchronously.
 *
 * Prices are bigint wei in memory and decimal strings at rest (bigint-safe in any IndexedDB,
 * as the ledger does).
 *
 * ## "Seed what I watch" (`seedWhatIWatch`, on by default)
 * It decides what happens to an item this node fetched from peers to watch (a card played,
 * origin `peer`) once it is no longer being watched. Own (published) items and pinned items
 * are always seeded, whatever it says: a pin means "keep this and share it".
 * - **On**: the item stays in the swarm after playback — its download runs to the end and it
 *   serves peers — until the storage budget evicts it by value (eviction.ts).
 * - **Off**: the item is in the swarm only while it is being watched: from when it is added,
 *   and for as long as the player reads it (src/node/swarm/uses.ts: "playing" is a read within
 *   the last 2 minutes; an item just added gets the same 2 minutes before its first read). Then
 *   it leaves the swarm (src/node/swarm/seedPolicy.ts): it stops downloading and serving and
 *   its peers see the wire end, but its slices stay on disk to watch again, marked "not
 *   seeded", and it is the first to go when room is needed (eviction.ts `watchOnly`). Playing
 *   it again brings it back for as long as it plays; a reload does not resume it. Turning the
 *   setting on, or pinning the item, puts it back in the swarm at once.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb'
import { SeedSettingsError } from '../../shared/errors/seed.ts'
import { logger } from '../log.ts'

const log = logger('seed:settings')

/** The storage budget: a fixed number of bytes, or a share of the origin's quota. */
export type StorageBudget = { kind: 'bytes'; bytes: number } | { kind: 'share'; share: number }

/** The node-wide settings. */
export type SeedSettings = {
  /** Previews included. */
  storageBudget: StorageBudget
  /** One cap for all wires (a token bucket in the swarm), bytes per second; null = none. */
  uploadBytesPerSec: number | null
  /** Optional download cap, bytes per second; null = none. */
  downloadBytesPerSec: number | null
  /** Keep seeding what this node fetched to watch, after playback (module comment). */
  seedWhatIWatch: boolean
  /** Wei per slice for items without their own price (0 = free). */
  defaultPricePerSlice: bigint
  /**
   * Privacy mode (relay only): the node never reveals its own addresses. WebRTC gathers only
   * relayed candidates through the relay's TURN server, libp2p talks only through the relay,
   * and no address of this node is announced (src/node/net/privacy.ts). Off by default: every
   * transfer then costs the relay its bandwidth and runs slower.
   */
  privacyMode: boolean
}

/** One item's own settings as stored; `pricePerSlice` null means "the default". */
export type ItemSettings = { id: string; pinned: boolean; pricePerSlice: bigint | null }

/** An item's settings resolved against the node's: the price it actually charges. */
export type ResolvedItemSettings = ItemSettings & { effectivePricePerSlice: bigint }

export const KiB = 1024
export const MiB = 1024 * KiB
export const GiB = 1024 * MiB
/** Below one default slice per second a single slice takes ~16 s per block of peers: useless. */
export const MIN_RATE = 16 * KiB
export const MAX_RATE = GiB
/** Room for some previews and a small item; the end-to-end tests run with 40 MiB. */
export const MIN_BUDGET_BYTES = 16 * MiB
export const MIN_BUDGET_SHARE = 0.01
/** An item id: hex digests or similar, printable ASCII without spaces, bounded. */
export const ITEM_ID = /^[\x21-\x7e]{1,128}$/
/** The contract's lines hold 96 bits (as hc_pay's price). */
export const MAX_PRICE = 2n ** 96n - 1n

/**
 * Defaults. A quarter of the origin's quota: Chromium grants an origin up to 60 % of the disk,
 * so this is at most ~15 % of it — room to be useful without surprising anyone. No rate caps,
 * as BitTorrent clients ship: a seeder is worth most to viewers at its full uplink, a tab
 * seeds only while it is open, and a user who feels it sets a cap (the node page offers one
 * for each direction). Free by default: a price means something only in the chain's currency,
 * which the user chooses.
 */
export const DEFAULT_SEED_SETTINGS: Readonly<SeedSettings> = Object.freeze({
  storageBudget: Object.freeze({ kind: 'share', share: 0.25 }) as StorageBudget,
  uploadBytesPerSec: null,
  downloadBytesPerSec: null,
  seedWhatIWatch: true,
  defaultPricePerSlice: 0n,
  privacyMode: false,
})

const KEYS = [
  'storageBudget',
  'uploadBytesPerSec',
  'downloadBytesPerSec',
  'seedWhatIWatch',
  'defaultPricePerSlice',
  'privacyMode',
] as const

function fail(field: string, expected: string, got: unknown): never {
  const shown = typeof got === 'bigint' ? `${got}n` : (JSON.stringify(got) ?? String(got))
  throw new SeedSettingsError(`The setting ${field} is invalid.`, {
    details: `${field}: expected ${expected}, got ${shown}`,
  })
}

function plainObject(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'an object', v)
  return v as Record<string, unknown>
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${field}.${k}`, 'no such key', k)
}

function rate(v: unknown, field: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < MIN_RATE || (v as number) > MAX_RATE)
    fail(field, `an integer from ${MIN_RATE} to ${MAX_RATE} bytes/s`, v)
  return v as number
}

function price(v: unknown, field: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > MAX_PRICE) fail(field, 'a bigint in [0, 2^96) wei', v)
  return v
}

function budget(v: unknown): StorageBudget {
  const o = plainObject(v, 'storageBudget')
  if (o.kind === 'bytes') {
    onlyKeys(o, ['kind', 'bytes'], 'storageBudget')
    if (!Number.isSafeInteger(o.bytes) || (o.bytes as number) < MIN_BUDGET_BYTES)
      fail('storageBudget.bytes', `an integer ≥ ${MIN_BUDGET_BYTES}`, o.bytes)
    return { kind: 'bytes', bytes: o.bytes as number }
  }
  if (o.kind === 'share') {
    onlyKeys(o, ['kind', 'share'], 'storageBudget')
    const s = o.share
    if (typeof s !== 'number' || !(s >= MIN_BUDGET_SHARE && s <= 1))
      fail('storageBudget.share', `a number from ${MIN_BUDGET_SHARE} to 1`, s)
    return { kind: 'share', share: s }
  }
  return fail('storageBudget.kind', '"bytes" or "share"', o.kind)
}

const fieldParsers: { [K in keyof SeedSettings]: (v: unknown) => SeedSettings[K] } = {
  storageBudget: budget,
  uploadBytesPerSec: (v) => (v === null ? null : rate(v, 'uploadBytesPerSec')),
  downloadBytesPerSec: (v) => (v === null ? null : rate(v, 'downloadBytesPerSec')),
  seedWhatIWatch: (v) => (typeof v === 'boolean' ? v : fail('seedWhatIWatch', 'a boolean', v)),
  defaultPricePerSlice: (v) => price(v, 'defaultPricePerSlice'),
  privacyMode: (v) => (typeof v === 'boolean' ? v : fail('privacyMode', 'a boolean', v)),
}

/**
 * Parses a partial update from the page: only known keys, each checked.
 * @example parseSeedSettingsPatch({ uploadBytesPerSec: 2 * MiB })
 */
export function parseSeedSettingsPatch(input: unknown): Partial<SeedSettings> {
  const o = plainObject(input, 'settings')
  onlyKeys(o, KEYS, 'settings')
  const out: Partial<Record<keyof SeedSettings, unknown>> = {}
  for (const k of KEYS) if (k in o) out[k] = fieldParsers[k](o[k])
  return out as Partial<SeedSettings>
}

/** Parses complete settings: every key present, each checked. */
export function parseSeedSettings(input: unknown): SeedSettings {
  const patch = parseSeedSettingsPatch(input)
  for (const k of KEYS) if (!(k in patch)) fail(k, 'a value', undefined)
  return patch as SeedSettings
}

/** Parses an item's settings; `pricePerSlice` null (or absent) means the default price. */
export function parseItemSettings(input: unknown): ItemSettings {
  const o = plainObject(input, 'item')
  onlyKeys(o, ['id', 'pinned', 'pricePerSlice'], 'item')
  if (typeof o.id !== 'string' || !ITEM_ID.test(o.id))
    fail('item.id', '1 to 128 printable ASCII characters', o.id)
  if (typeof o.pinned !== 'boolean') fail('item.pinned', 'a boolean', o.pinned)
  const p = o.pricePerSlice ?? null
  return {
    id: o.id,
    pinned: o.pinned,
    pricePerSlice: p === null ? null : price(p, 'item.pricePerSlice'),
  }
}

/**
 * The budget in bytes for an origin quota, never above the quota itself (the browser enforces
 * it anyway; planning against more would only fail later).
 * @example budgetBytes(settings, (await navigator.storage.estimate()).quota ?? 0)
 */
export function budgetBytes(settings: Pick<SeedSettings, 'storageBudget'>, quota: number): number {
  const b = settings.storageBudget
  const want = b.kind === 'bytes' ? b.bytes : Math.floor(b.share * quota)
  return Math.max(0, Math.min(want, quota))
}

// ---- persistence ----

export const SEED_DB = 'hashcard-seed'
const GLOBAL_KEY = 'global'

type StoredSettings = Omit<SeedSettings, 'defaultPricePerSlice' | 'privacyMode'> & {
  v: 1
  defaultPricePerSlice: string
  /** Absent in records written before privacy mode existed: off. */
  privacyMode?: boolean
}
type StoredItem = { id: string; pinned: boolean; pricePerSlice: string | null }

interface SeedDb extends DBSchema {
  settings: { key: string; value: StoredSettings }
  items: { key: string; value: StoredItem }
}

const DECIMAL = /^(0|[1-9][0-9]{0,28})$/

function fromStored(s: StoredSettings): SeedSettings {
  const { v, defaultPricePerSlice, ...rest } = s
  if (v !== 1) fail('v', '1', v)
  if (typeof defaultPricePerSlice !== 'string' || !DECIMAL.test(defaultPricePerSlice))
    fail('defaultPricePerSlice', 'a decimal string', defaultPricePerSlice)
  return parseSeedSettings({
    privacyMode: false,
    ...rest,
    defaultPricePerSlice: BigInt(defaultPricePerSlice),
  })
}

function itemFromStored(s: StoredItem): ItemSettings {
  const p = s.pricePerSlice
  if (p !== null && (typeof p !== 'string' || !DECIMAL.test(p)))
    fail('item.pricePerSlice', 'a decimal string or null', p)
  return parseItemSettings({ ...s, pricePerSlice: p === null ? null : BigInt(p) })
}

/** The settings, cached in memory and written through to IndexedDB. */
export type SeedSettingsStore = {
  /** The current settings (synchronous: served from the cache). */
  get(): SeedSettings
  /** Applies a checked partial update; resolves once it is on disk. */
  update(patch: unknown): Promise<SeedSettings>
  /** An item's settings with its effective price (defaults when it has none of its own). */
  item(id: string): ResolvedItemSettings
  /** Sets an item's pin and/or own price (`pricePerSlice: null` goes back to the default). */
  setItem(
    id: string,
    patch: { pinned?: boolean; pricePerSlice?: bigint | null },
  ): Promise<ResolvedItemSettings>
  /** Drops an item's settings (the item was deleted by the user). */
  forgetItem(id: string): Promise<void>
  /** Items with settings of their own. */
  items(): ResolvedItemSettings[]
  /** Called after each change of the node-wide settings; returns an unsubscribe function. */
  onChange(fn: (settings: SeedSettings) => void): () => void
  /** Called after an item's settings change or are forgotten; returns an unsubscribe function. */
  onItemChange(fn: (item: ResolvedItemSettings) => void): () => void
  close(): void
}

/**
 * Opens (creating if needed) the settings database and loads it. A stored record that no
 * longer parses (a downgrade, a corrupt write) falls back to the defaults with a warning,
 * rather than keeping the node from starting; the next update overwrites it.
 * @example const settings = await openSeedSettings(); settings.get().uploadBytesPerSec
 */
export async function openSeedSettings(opts: { dbName?: string } = {}): Promise<SeedSettingsStore> {
  const db: IDBPDatabase<SeedDb> = await openDB<SeedDb>(opts.dbName ?? SEED_DB, 1, {
    upgrade(d) {
      d.createObjectStore('settings')
      d.createObjectStore('items', { keyPath: 'id' })
    },
  })
  let current: SeedSettings = { ...DEFAULT_SEED_SETTINGS }
  const stored = await db.get('settings', GLOBAL_KEY)
  if (stored)
    try {
      current = fromStored(stored)
    } catch (err) {
      log.warn('stored settings did not parse; using the defaults', err)
    }
  const items = new Map<string, ItemSettings>()
  for (const row of await db.getAll('items'))
    try {
      items.set(row.id, itemFromStored(row))
    } catch (err) {
      log.warn('dropping stored item settings that did not parse', row.id, err)
    }
  const listeners = new Set<(s: SeedSettings) => void>()
  const itemListeners = new Set<(i: ResolvedItemSettings) => void>()
  const tell = <T>(fns: Set<(v: T) => void>, v: T): void => {
    for (const fn of fns)
      try {
        fn(v)
      } catch (err) {
        log.error('a settings listener threw', err)
      }
  }
  // Writes run one after another, each computed from the state the previous one left, so the
  // cache and the disk never disagree on the order of two quick changes.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn)
    queue = next.catch(() => {})
    return next
  }
  const resolve = (id: string): ResolvedItemSettings => {
    const own = items.get(id) ?? { id, pinned: false, pricePerSlice: null }
    return { ...own, effectivePricePerSlice: own.pricePerSlice ?? current.defaultPricePerSlice }
  }

  return {
    get: () => ({ ...current }),
    update: async (patch) => {
      const checked = parseSeedSettingsPatch(patch)
      return serial(async () => {
        const next = { ...current, ...checked }
        await db.put(
          'settings',
          { ...next, v: 1, defaultPricePerSlice: next.defaultPricePerSlice.toString() },
          GLOBAL_KEY,
        )
        current = next
        tell(listeners, { ...current })
        return { ...current }
      })
    },
    item: resolve,
    setItem: async (id, patch) => {
      const base = items.get(id) ?? { id, pinned: false, pricePerSlice: null }
      // Parsed before queuing so a bad call fails at once, then re-applied on the latest state.
      parseItemSettings({ ...base, ...patch })
      return serial(async () => {
        const latest = items.get(id) ?? { id, pinned: false, pricePerSlice: null }
        const next = parseItemSettings({ ...latest, ...patch })
        if (!next.pinned && next.pricePerSlice === null) {
          // Nothing of its own left: no record, so the items store holds only real choices.
          await db.delete('items', id)
          items.delete(id)
        } else {
          await db.put('items', { ...next, pricePerSlice: next.pricePerSlice?.toString() ?? null })
          items.set(id, next)
        }
        tell(itemListeners, resolve(id))
        return resolve(id)
      })
    },
    forgetItem: (id) =>
      serial(async () => {
        await db.delete('items', id)
        if (items.delete(id)) tell(itemListeners, resolve(id))
      }),
    items: () => [...items.keys()].map(resolve),
    onChange(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    onItemChange(fn) {
      itemListeners.add(fn)
      return () => itemListeners.delete(fn)
    },
    close: () => db.close(),
  }
}
