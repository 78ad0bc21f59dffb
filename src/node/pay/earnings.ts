/**
 * Wei earned per card and UTC day, for the personal node's eviction (DESIGN §4.7: "earnings
 * per byte over the last 7 days"). The ledger keeps each line's newest cumulative, not when
 * it grew, so the seller side adds each accepted cheque's increase here, under its card and
 * day. Kept in memory for the window and written to the prefs database in the background
 * (deferredWrites.ts), so a reload keeps the week.
 *
 * "The last 7 days" are 7 UTC days, today included: between 6 and 7 × 24 hours back, which is
 * all the precision a value weight needs, at one row per card and day.
 */
import { EARNINGS_FLUSH_MS } from './constants.ts'
import { DeferredWrites } from './deferredWrites.ts'

/** Days summed by {@link CardEarnings.lastDays} unless told (the eviction value's window). */
export const EARNINGS_DAYS = 7
const DAY_MS = 24 * 60 * 60 * 1000

/** One stored row: a card, a UTC day (days since the epoch) and the wei earned on it. */
export type StoredEarning = { cardId: string; day: number; wei: string }

export type CardEarningsInit = {
  /** Rows saved before (prefs.ts `earned`). */
  rows: readonly StoredEarning[]
  save(rows: readonly StoredEarning[]): Promise<void>
  onError?: (err: unknown) => void
  now?: () => number
  flushMs?: number
}

/** The UTC day (days since the epoch) of a time in ms. */
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS)

/** See the module comment. */
export class CardEarnings {
  /** card id (lowercase) → day → wei. */
  readonly #byCard = new Map<string, Map<number, bigint>>()
  readonly #writes: DeferredWrites<StoredEarning>
  readonly #now: () => number

  constructor(init: CardEarningsInit) {
    this.#now = init.now ?? Date.now
    this.#writes = new DeferredWrites({
      save: init.save,
      onError: init.onError,
      flushMs: init.flushMs ?? EARNINGS_FLUSH_MS,
    })
    for (const r of init.rows) this.#days(r.cardId.toLowerCase()).set(r.day, BigInt(r.wei))
  }

  /** Adds `wei` earned from `cardId` now (a received cheque's increase). */
  add(cardId: string, wei: bigint): void {
    if (wei <= 0n) return
    const card = cardId.toLowerCase()
    const day = dayOf(this.#now())
    const days = this.#days(card)
    const total = (days.get(day) ?? 0n) + wei
    days.set(day, total)
    // Older days leave memory here; the database drops them when the next session loads.
    for (const d of days.keys()) if (d <= day - EARNINGS_DAYS) days.delete(d)
    this.#writes.mark(`${card}:${day}`, { cardId: card, day, wei: total.toString() })
  }

  /** Wei earned from `cardId` over the last `days` UTC days, today included. */
  lastDays(cardId: string, days = EARNINGS_DAYS): bigint {
    const from = dayOf(this.#now()) - days + 1
    let sum = 0n
    for (const [d, wei] of this.#byCard.get(cardId.toLowerCase()) ?? []) if (d >= from) sum += wei
    return sum
  }

  /** Writes what changed since the last write (also called when the session closes). */
  flush(): Promise<void> {
    return this.#writes.flush()
  }

  #days(card: string): Map<number, bigint> {
    let m = this.#byCard.get(card)
    if (!m) {
      m = new Map()
      this.#byCard.set(card, m)
    }
    return m
  }
}
