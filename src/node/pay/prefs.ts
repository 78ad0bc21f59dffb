/**
 * The pay service's small database, one per account (IndexedDB via idb): the user's spending
 * settings, the earned/spent series (one point per minute with activity) and the wei earned
 * per card and day (earnings.ts). The ledger keeps the cheques themselves (ledger.ts); this
 * keeps what the page and the personal node read beside them.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb'
import { SpendingSettingsError } from '../../shared/errors/pay.ts'
import type { SpendSettings } from '../../shared/protocol/methods/pay.ts'
import { DEFAULT_SPEND_LIMITS } from './constants.ts'
import type { StoredEarning } from './earnings.ts'
import type { SpendLimits } from './spend.ts'

/** Which way the money went: to this node (`earned`) or from it (`spent`). */
export type SeriesSide = 'earned' | 'spent'
/** One stored point: the minute it starts at (ms), wei and bytes. Amounts as decimal strings. */
export type StoredPoint = { side: SeriesSide; t: number; wei: string; bytes: number }

interface PrefsDb extends DBSchema {
  settings: { key: string; value: SpendSettings }
  points: { key: [string, number]; value: StoredPoint }
  earned: { key: [string, number]; value: StoredEarning }
}

/** What the service reads and writes. */
export type PayPrefs = {
  /** The saved spending caps, or the defaults (constants.ts). */
  limits(): Promise<SpendLimits>
  saveLimits(limits: SpendLimits): Promise<void>
  /** Points at or after `since` (ms), oldest first; older ones are deleted. */
  points(since: number): Promise<StoredPoint[]>
  savePoints(points: readonly StoredPoint[]): Promise<void>
  /** Per-card earnings of UTC day `sinceDay` and after; older rows are deleted. */
  earned(sinceDay: number): Promise<StoredEarning[]>
  saveEarned(rows: readonly StoredEarning[]): Promise<void>
  close(): void
}

const SETTINGS_KEY = 'spend'

/** Decimal wei strings of the RPC ↔ the limits the budget takes. */
export const settingsOf = (l: SpendLimits): SpendSettings => ({
  maxPrice: l.maxPrice.toString(),
  perItem: l.perItem.toString(),
  perDay: l.perDay.toString(),
})

/**
 * Checks settings from the page: each a whole number of wei below 2^256, written in decimal.
 * Throws `SpendingSettingsError` naming the first bad field.
 * @example budget.setLimits(parseSettings(params)) // { maxPrice: '1000', … } → bigints
 */
export function parseSettings(s: unknown): SpendLimits {
  const v = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>
  const field = (name: keyof SpendSettings): bigint => {
    const x = v[name]
    if (typeof x !== 'string' || !/^\d{1,78}$/.test(x) || BigInt(x) >= 2n ** 256n)
      throw new SpendingSettingsError(`${name} must be a whole number of wei.`, {
        details: `${name}: ${String(x).slice(0, 100)}`,
      })
    return BigInt(x)
  }
  return { maxPrice: field('maxPrice'), perItem: field('perItem'), perDay: field('perDay') }
}

/**
 * Opens (creating if needed) the prefs database `dbName`.
 * @example const prefs = await openPayPrefs(`hashcard-pay-prefs-${address}`)
 */
export async function openPayPrefs(dbName: string): Promise<PayPrefs> {
  // Version 2 added the per-card earnings.
  const db: IDBPDatabase<PrefsDb> = await openDB<PrefsDb>(dbName, 2, {
    upgrade(d, oldVersion) {
      if (oldVersion < 1) {
        d.createObjectStore('settings')
        d.createObjectStore('points', { keyPath: ['side', 't'] })
      }
      d.createObjectStore('earned', { keyPath: ['cardId', 'day'] })
    },
  })
  type Rows = 'points' | 'earned'
  /** The rows of a store that `wanted` accepts; the others are deleted in the same pass. */
  const keep = async <N extends Rows>(
    name: N,
    wanted: (row: PrefsDb[N]['value']) => boolean,
  ): Promise<PrefsDb[N]['value'][]> => {
    const tx = db.transaction(name, 'readwrite')
    const kept: PrefsDb[N]['value'][] = []
    for (let c = await tx.store.openCursor(); c; c = await c.continue()) {
      if (wanted(c.value)) kept.push(c.value)
      else await c.delete()
    }
    await tx.done
    return kept
  }
  const putAll = async <N extends Rows>(name: N, rows: readonly PrefsDb[N]['value'][]) => {
    const tx = db.transaction(name, 'readwrite')
    await Promise.all([...rows.map((r) => tx.store.put(r)), tx.done])
  }
  return {
    async limits() {
      const saved = await db.get('settings', SETTINGS_KEY)
      if (!saved) return { ...DEFAULT_SPEND_LIMITS }
      try {
        return parseSettings(saved)
      } catch {
        return { ...DEFAULT_SPEND_LIMITS } // a damaged record: back to the defaults
      }
    },
    async saveLimits(limits) {
      await db.put('settings', settingsOf(limits), SETTINGS_KEY)
    },
    points: async (since) => (await keep('points', (p) => p.t >= since)).sort((a, b) => a.t - b.t),
    savePoints: (points) => putAll('points', points),
    earned: (sinceDay) => keep('earned', (r) => r.day >= sinceDay),
    saveEarned: (rows) => putAll('earned', rows),
    close: () => db.close(),
  }
}
