import { describe, expect, it } from 'vitest'
import type { SwarmTraffic } from '../../shared/protocol/methods/swarm.ts'
import { currentRates, rateLines, rateText } from './rates.ts'

const traffic: SwarmTraffic = {
  uploaded: 3_500_000,
  downloaded: 0,
  points: [
    { t: 1_000, up: 1_000_000, down: 0 },
    { t: 2_000, up: 2_500_000, down: 125_000 },
  ],
  sampleMs: 1000,
  windowMs: 300_000,
}

describe('the dashboard rates', () => {
  it('charts both directions in MB/s over time', () => {
    expect(rateLines(traffic)).toEqual({
      up: [
        { x: 1_000, y: 1 },
        { x: 2_000, y: 2.5 },
      ],
      down: [
        { x: 1_000, y: 0 },
        { x: 2_000, y: 0.125 },
      ],
    })
    expect(rateLines(null)).toEqual({ up: [], down: [] })
  })

  it('shows the newest rates, 0 before there are any', () => {
    expect(currentRates(traffic)).toEqual({ up: 2_500_000, down: 125_000 })
    expect(currentRates({ ...traffic, points: [] })).toEqual({ up: 0, down: 0 })
    expect(currentRates(null)).toEqual({ up: 0, down: 0 })
  })

  it('writes rates in decimal units', () => {
    expect(rateText(2_500_000)).toBe('2.5 MB/s')
    expect(rateText(125_000)).toBe('125.0 kB/s')
    expect(rateText(0)).toBe('0 B/s')
  })
})
