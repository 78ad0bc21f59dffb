/**
 * The seed service (DESIGN §4.7, the personal node): owns the node's seeding settings —
 * loaded once at start and cached, so the swarm's caps and the pay extension's prices read
 * them synchronously — and the storage budget that every new download, publish and preview
 * passes through ({@link SeedService.ensureRoom}). Its `seed.*` RPC methods are in
 * handlers.ts.
 *
 * It is built before the swarm and the previews it evicts from, so it reaches them through
 * {@link Holdings} (holdings.ts), whose ports are called only once the node runs.
 */
import { SeedSettingsError } from '../../shared/errors/seed.ts'
import type { SeedUsage } from '../../shared/protocol/methods/seed.ts'
import { logger } from '../log.ts'
import type { PrivacySource } from '../net/privacy.ts'
import type { Registrar } from '../rpc/server.ts'
import type { EnsureRoom, Room } from '../store/quota.ts'
import type { RateLimits, RateSource } from '../swarm/rateCaps.ts'
import type { SeedPolicy } from '../swarm/seedPolicy.ts'
import { StorageBudget } from './budget.ts'
import { createSeedHandlers, itemToWire } from './handlers.ts'
import type { Holdings } from './holdings.ts'
import { DEFAULT_SEED_SETTINGS, openSeedSettings, type SeedSettingsStore } from './settings.ts'

const log = logger('seed')

/** The parts of `navigator.storage` the service uses; `persist` exists in windows only. */
export type StoragePort = {
  estimate(): Promise<{ usage?: number | undefined; quota?: number | undefined }>
  persisted(): Promise<boolean>
  persist?: (() => Promise<boolean>) | undefined
}

export type SeedComponents = {
  rpc?: Registrar
  holdings: Holdings
  /** `navigator.storage` where the realm has one; without it the quota is unknown. */
  storage?: StoragePort | undefined
  /** Wei earned from an item over the last 7 days (the pay ledger); unknown without. */
  earned?: (itemId: string) => bigint
  /** Other nodes known to hold an item (the availability map); unknown without. */
  seeders?: (itemId: string) => number
}

export type SeedInit = {
  /** IndexedDB name of the settings (tests use their own). */
  dbName?: string
  now?: () => number
  /** A development chain: the bench hook `seed.debug` answers (it refuses elsewhere). */
  dev?: boolean
  /** The relay offers a TURN server: without one, privacy mode cannot be turned on. */
  turn?: boolean
}

/** Factory in the libp2p style: `seedService(init)(components)`; registers `seed.*`. */
export function seedService(init: SeedInit = {}) {
  return (c: SeedComponents) => {
    const seed = new SeedService(c, init)
    c.rpc?.register(createSeedHandlers(seed))
    return seed
  }
}

const limitsOf = (s: SeedSettingsStore): RateLimits => {
  const now = s.get()
  return { upload: now.uploadBytesPerSec, download: now.downloadBytesPerSec }
}

export class SeedService {
  private opened: Promise<SeedSettingsStore> | null = null
  private loaded: SeedSettingsStore | null = null
  readonly budget: StorageBudget

  constructor(
    private readonly c: SeedComponents,
    private readonly init: SeedInit,
  ) {
    this.budget = new StorageBudget({
      settings: () => this.cached(),
      holdings: c.holdings,
      quota: async () => (await this.estimate())?.quota ?? null,
      ...(c.earned ? { earned: c.earned } : {}),
      ...(c.seeders ? { seeders: c.seeders } : {}),
      ...(init.now ? { now: init.now } : {}),
    })
  }

  async start(): Promise<void> {
    await this.settings()
  }

  stop(): void {
    this.loaded?.close()
    this.loaded = null
    this.opened = null
  }

  /** The settings, opened and loaded on first call (and again after a failed open). */
  settings(): Promise<SeedSettingsStore> {
    this.opened ??= openSeedSettings(this.init.dbName ? { dbName: this.init.dbName } : {}).then(
      (s) => {
        this.loaded = s
        return s
      },
      (err: unknown) => {
        this.opened = null
        throw err
      },
    )
    return this.opened
  }

  /**
   * The price per slice an item charges, in wei: its own, else the default. Synchronous for
   * the pay extension's wire path; before the settings are loaded (the swarm waits for them,
   * so no wire exists yet) it is the built-in default, free.
   */
  priceOf(itemId: string): bigint {
    return (
      this.loaded?.item(itemId).effectivePricePerSlice ?? DEFAULT_SEED_SETTINGS.defaultPricePerSlice
    )
  }

  /** The caps' rates for the swarm, following every settings change. */
  async rates(): Promise<RateSource> {
    const s = await this.settings()
    return {
      current: () => limitsOf(s),
      onChange: (fn) => s.onChange(() => fn(limitsOf(s))),
    }
  }

  /**
   * Privacy mode for the network and the swarm (net/privacy.ts): its value now, and a call
   * each time it changes (not on other settings' changes).
   */
  async privacy(): Promise<PrivacySource> {
    const s = await this.settings()
    return {
      current: () => s.get().privacyMode,
      onChange: (fn) => {
        let last = s.get().privacyMode
        return s.onChange((next) => {
          if (next.privacyMode === last) return
          last = next.privacyMode
          fn(last)
        })
      },
    }
  }

  /** Refuses turning privacy mode on where the relay offers no TURN server to hide behind. */
  checkPatch(patch: unknown): void {
    const on = (patch as { privacyMode?: unknown } | null)?.privacyMode === true
    if (on && !this.init.turn)
      throw new SeedSettingsError('Privacy mode needs a TURN server, and this relay has none.', {
        details: 'privacyMode: the relay announces no TURN server (config.json relay.turn)',
      })
  }

  /**
   * "Seed what I watch" for the swarm (semantics in settings.ts): a fetched item stays in the
   * swarm after playback when the setting is on or the item is pinned; asked again after every
   * change of either.
   */
  async seedPolicy(): Promise<SeedPolicy> {
    const s = await this.settings()
    return {
      keeps: (itemId) => s.get().seedWhatIWatch || s.item(itemId).pinned,
      onChange: (fn) => {
        const offSettings = s.onChange(() => fn())
        const offItems = s.onItemChange(() => fn())
        return () => {
          offSettings()
          offItems()
        }
      },
    }
  }

  /**
   * Room within the budget for a new item (budget.ts). When the settings cannot be read at
   * all (IndexedDB unavailable), nothing is refused: a broken settings store must not stop
   * every download; the browser's quota still applies.
   */
  ensureRoom: EnsureRoom = async (bytes, options) => {
    try {
      await this.settings()
    } catch (err) {
      log.warn('no settings (%s): the storage budget is not enforced', (err as Error).message)
      return { release: () => {} } satisfies Room
    }
    return this.budget.ensureRoom(bytes, options)
  }

  /** Storage per item against the budget and the origin's quota. */
  async usage(): Promise<SeedUsage> {
    const settings = await this.settings()
    const [state, playing, estimate, persisted] = await Promise.all([
      this.budget.state(),
      this.c.holdings.playing(),
      this.estimate(),
      this.persisted(),
    ])
    const { earned, seeders } = this.c
    return {
      items: state.holdings.map((h) => ({
        ...itemToWire(settings.item(h.id)),
        kind: h.kind,
        name: h.name,
        bytes: h.bytes,
        held: h.held,
        own: h.own,
        playing: playing.has(h.id),
        seeding: h.seeding,
        demand: h.requests,
        // Content only: the ledger and the availability map know items, not previews.
        earned: earned && h.kind === 'content' ? earned(h.id).toString() : null,
        seeders: seeders && h.kind === 'content' ? seeders(h.id) : null,
      })),
      used: state.used,
      budget: Number.isFinite(state.budget) ? state.budget : null,
      quota: estimate?.quota ?? null,
      originUsage: estimate?.usage ?? null,
      persisted,
    }
  }

  /**
   * Removes the items the user chose — the answer to a StorageBudgetError's `ask` — pinned and
   * own ones included, never one being played (budget.ts `evictChosen`).
   */
  async evict(ids: readonly string[]): Promise<{ evicted: string[]; freed: number }> {
    await this.settings()
    return this.budget.evictChosen(ids)
  }

  /**
   * Asks for persistent storage where this realm can. The Storage Standard exposes
   * `persist()` to windows only (the node runs in a worker), so there the answer is
   * `supported: false` with the current state, and the page asks itself.
   */
  async persist(): Promise<{ persisted: boolean; supported: boolean }> {
    const s = this.c.storage
    if (!s) return { persisted: false, supported: false }
    if (await s.persisted().catch(() => false)) return { persisted: true, supported: true }
    if (typeof s.persist !== 'function') return { persisted: false, supported: false }
    return { persisted: await s.persist(), supported: true }
  }

  /**
   * Bench hook (development chains only): makes room for `ensureRoom` bytes through the
   * budget, as a download would, and hands it back at once; returns the ms that took in the
   * node (eviction included) and which holdings went.
   */
  async debug(p: {
    ensureRoom: number
  }): Promise<{ ms: number; filesMs: number; evicted: string[] }> {
    if (!this.init.dev) throw new RangeError('seed.debug: only on a development chain')
    await this.settings()
    const before = (await this.c.holdings.list()).map((h) => h.id)
    const t0 = performance.now()
    const room = await this.budget.ensureRoom(p.ensureRoom)
    const ms = performance.now() - t0
    await this.c.holdings.settled()
    const filesMs = performance.now() - t0
    room.release()
    const after = new Set((await this.c.holdings.list()).map((h) => h.id))
    return { ms, filesMs, evicted: before.filter((id) => !after.has(id)) }
  }

  private cached(): SeedSettingsStore {
    if (!this.loaded) throw new Error('the seed settings are not loaded')
    return this.loaded
  }

  private async estimate(): Promise<{ usage: number; quota: number } | null> {
    const s = this.c.storage
    if (!s) return null
    try {
      const e = await s.estimate()
      return e.quota === undefined ? null : { usage: e.usage ?? 0, quota: e.quota }
    } catch {
      return null
    }
  }

  private async persisted(): Promise<boolean | null> {
    return (await this.c.storage?.persisted().catch(() => null)) ?? null
  }
}
