/**
 * The node's traffic (`swarm.traffic`) as the dashboard shows it: the upload and download
 * rates over the last minutes as chart lines in MB/s, and a rate as text.
 */
import type { SwarmTraffic } from '../../shared/protocol/methods/swarm.ts'
import type { Point } from '../charts/scale.ts'
import { bytesText } from '../pay/format.ts'
import { MB } from './seedForm.ts'

/** The chart's two lines, x in epoch ms and y in MB/s; empty before the second sample. */
export function rateLines(traffic: SwarmTraffic | null): { up: Point[]; down: Point[] } {
  const points = traffic?.points ?? []
  return {
    up: points.map((p) => ({ x: p.t, y: p.up / MB })),
    down: points.map((p) => ({ x: p.t, y: p.down / MB })),
  }
}

/** The newest rates (bytes/s), 0 before the second sample. */
export function currentRates(traffic: SwarmTraffic | null): { up: number; down: number } {
  const last = traffic?.points.at(-1)
  return { up: last?.up ?? 0, down: last?.down ?? 0 }
}

/**
 * A rate in decimal units, as network speeds are written.
 * @example rateText(1_250_000) // '1.3 MB/s'
 */
export function rateText(bytesPerSec: number): string {
  return `${bytesText(bytesPerSec)}/s`
}
