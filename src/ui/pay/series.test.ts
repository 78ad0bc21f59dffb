import { describe, expect, it } from 'vitest'
import { cumulativePoints, etherNumber, pointMs, seriesTotal } from './series.ts'

const ETH = 10n ** 18n

describe('cumulativePoints', () => {
  it('runs the total in time order, in ether', () => {
    const t0 = 1_700_000_000_000
    const pts = cumulativePoints([
      { t: t0 + 60_000, wei: (ETH / 2n).toString(), bytes: 0 },
      { t: t0, wei: ETH.toString(), bytes: 0 },
    ])
    expect(pts).toEqual([
      { x: t0, y: 1 },
      { x: t0 + 60_000, y: 1.5 },
    ])
  })

  it('runs on flat to now, and not backwards', () => {
    const t0 = 1_700_000_000_000
    const series = [{ t: t0, wei: '1000000000000000000', bytes: 0 }]
    expect(cumulativePoints(series, { now: t0 + 5_000 }).at(-1)).toEqual({ x: t0 + 5_000, y: 1 })
    expect(cumulativePoints(series, { now: t0 - 5_000 })).toHaveLength(1)
    expect(cumulativePoints([], { now: t0 })).toEqual([])
  })

  it('takes unix seconds as well as milliseconds', () => {
    expect(pointMs(1_700_000_000)).toBe(1_700_000_000_000)
    expect(pointMs(1_700_000_000_000)).toBe(1_700_000_000_000)
  })
})

describe('amounts', () => {
  it('sums exactly and plots near enough', () => {
    const series = [
      { t: 0, wei: '1', bytes: 0 },
      { t: 1, wei: (2n ** 70n).toString(), bytes: 0 },
    ]
    expect(seriesTotal(series)).toBe(2n ** 70n + 1n)
    expect(etherNumber(2n ** 70n)).toBeCloseTo(1180.591620717411, 9)
    expect(etherNumber(1n)).toBe(1e-18)
  })
})
