/**
 * Earned and spent per minute, for the page's plots: every cheque adds what it moved to its
 * minute's point. Kept in memory for the window shown (a day) and written to the prefs
 * database in the background, a few seconds apart, so a burst of cheques costs one write.
 */
import type { PayPoint } from '../../shared/protocol/methods/pay.ts'
import { SERIES_FLUSH_MS, SERIES_WINDOW_MS } from './constants.ts'
import { DeferredWrites } from './deferredWrites.ts'
import type { SeriesSide, StoredPoint } from './prefs.ts'

type Point = { t: number; wei: bigint; bytes: number }

export type PaySeriesInit = {
  /** Points saved before (prefs.ts `points`). */
  points: readonly StoredPoint[]
  save(points: readonly StoredPoint[]): Promise<void>
  onError?: (err: unknown) => void
  now?: () => number
  windowMs?: number
  flushMs?: number
}

const minuteOf = (ms: number): number => Math.floor(ms / 60_000) * 60_000

/** The two series; see the module comment. */
export class PaySeries {
  readonly #points: Record<SeriesSide, Point[]> = { earned: [], spent: [] }
  readonly #writes: DeferredWrites<StoredPoint>
  readonly #init: PaySeriesInit

  constructor(init: PaySeriesInit) {
    this.#init = init
    this.#writes = new DeferredWrites({
      save: init.save,
      onError: init.onError,
      flushMs: init.flushMs ?? SERIES_FLUSH_MS,
    })
    for (const p of init.points)
      this.#points[p.side].push({ t: p.t, wei: BigInt(p.wei), bytes: p.bytes })
    for (const side of ['earned', 'spent'] as const) this.#points[side].sort((a, b) => a.t - b.t)
  }

  /** Adds `wei` and `bytes` to the current minute of `side`. */
  add(side: SeriesSide, wei: bigint, bytes: number): void {
    if (wei <= 0n && bytes <= 0) return
    const t = minuteOf(this.#now())
    const list = this.#points[side]
    let last = list[list.length - 1]
    if (!last || last.t !== t) {
      last = { t, wei: 0n, bytes: 0 }
      list.push(last)
    }
    last.wei += wei
    last.bytes += bytes
    this.#writes.mark(`${side}:${t}`, { side, t, wei: last.wei.toString(), bytes: last.bytes })
  }

  /** The points of `side` inside the window, oldest first. */
  points(side: SeriesSide): PayPoint[] {
    const since = this.#now() - (this.#init.windowMs ?? SERIES_WINDOW_MS)
    const list = this.#points[side]
    while (list[0] && list[0].t < minuteOf(since)) list.shift()
    return list.map((p) => ({ t: p.t, wei: p.wei.toString(), bytes: p.bytes }))
  }

  /** Writes the points changed since the last write (also called on stop). */
  flush(): Promise<void> {
    return this.#writes.flush()
  }

  #now(): number {
    return (this.#init.now ?? Date.now)()
  }
}
