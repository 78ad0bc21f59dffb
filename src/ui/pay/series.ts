/**
 * The overview's per-minute series (`PayOverview.earned` / `spent`: wei earned or spent in each
 * minute with activity) as chart points: the running total in ETH over time.
 */
import { formatEther } from 'viem'
import type { PayPoint } from '../../shared/protocol/methods/pay.ts'
import type { Point } from '../charts/scale.ts'
import { weiOf } from './format.ts'

/**
 * A point's time in epoch milliseconds. The ledger stamps lines with `Date.now()`; a value
 * too small to be milliseconds after 1973 is taken as unix seconds, so either works.
 */
export function pointMs(t: number): number {
  return t < 1e11 ? t * 1000 : t
}

/**
 * Wei as a float of ether, for plotting only (about 16 significant digits; tables use the
 * exact text of format.ts).
 */
export function etherNumber(wei: bigint): number {
  return Number(formatEther(wei))
}

/**
 * The running total of the series in time order, ether on y. With `now` past the last point,
 * the line runs on flat to now, so a quiet period shows as such.
 * @example cumulativePoints([{ t: 60_000, wei: '10', bytes: 0 }, { t: 0, wei: '5', bytes: 0 }])
 * // [{ x: 0, y: 5e-18 }, { x: 60_000, y: 1.5e-17 }]
 */
export function cumulativePoints(
  series: readonly PayPoint[],
  opts: { now?: number } = {},
): Point[] {
  const sorted = [...series].sort((a, b) => pointMs(a.t) - pointMs(b.t))
  let sum = 0n
  const out: Point[] = []
  for (const p of sorted) {
    sum += weiOf(p.wei)
    out.push({ x: pointMs(p.t), y: etherNumber(sum) })
  }
  const last = out.at(-1)
  if (last && opts.now !== undefined && opts.now > last.x) out.push({ x: opts.now, y: last.y })
  return out
}

/** The series' total in wei, exactly. */
export function seriesTotal(series: readonly PayPoint[]): bigint {
  let sum = 0n
  for (const p of series) sum += weiOf(p.wei)
  return sum
}
