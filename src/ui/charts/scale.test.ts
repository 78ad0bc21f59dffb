import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  extentOf,
  type Frame,
  layoutChart,
  niceExtent,
  niceStep,
  numberLabel,
  pathOf,
  scaleLinear,
  ticksOf,
  timeStep,
} from './scale.ts'

const frame: Frame = { width: 100, height: 60, margin: { top: 5, right: 5, bottom: 5, left: 5 } }

describe('extentOf', () => {
  it('spans the finite values', () => {
    expect(extentOf([3, -1, 2, Number.NaN, Number.POSITIVE_INFINITY])).toEqual([-1, 3])
  })

  it('is never flat or empty', () => {
    expect(extentOf([])).toEqual([-0.5, 0.5])
    expect(extentOf([], { zero: true })).toEqual([0, 1])
    expect(extentOf([5, 5], { zero: true })).toEqual([0, 5])
    expect(extentOf([5, 5])).toEqual([2.5, 7.5])
    expect(extentOf([-3], { zero: true })).toEqual([-3, 0])
    expect(extentOf([1000], { minSpan: 60 })).toEqual([970, 1030])
  })
})

describe('steps and ticks', () => {
  it('picks 1, 2, 5 × 10ⁿ', () => {
    expect([0.7, 1, 1.5, 3, 7, 0.013, 420].map(niceStep)).toEqual([1, 1, 2, 5, 10, 0.02, 500])
    expect(niceStep(0)).toBe(1)
  })

  it('picks clock steps for time', () => {
    expect(timeStep(10_000)).toBe(15_000)
    expect(timeStep(50 * 60_000)).toBe(3_600_000)
    expect(timeStep(100 * 86_400_000)).toBe(5 * 30 * 86_400_000)
  })

  it('puts ticks on whole steps without float noise', () => {
    expect(ticksOf([0, 1], 0.25)).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(ticksOf([0.1, 0.35], 0.1)).toEqual([0.1, 0.2, 0.3])
    expect(ticksOf([0, 0.0003], 0.0001)).toEqual([0, 0.0001, 0.0002, 0.0003])
    expect(niceExtent([0, 0.00027], 0.0001)).toEqual([0, 0.0003])
  })
})

describe('scaleLinear and pathOf', () => {
  it('maps linearly, and a flat domain to the middle', () => {
    expect(scaleLinear([0, 10], [0, 100])(2.5)).toBe(25)
    expect(scaleLinear([0, 10], [100, 0])(2.5)).toBe(75)
    expect(scaleLinear([3, 3], [0, 100])(3)).toBe(50)
  })

  it('writes M then L, two decimals, skipping non-finite points', () => {
    const d = pathOf(
      [
        { x: 0, y: 0 },
        { x: Number.NaN, y: 1 },
        { x: 1, y: 2 / 3 },
      ],
      (x) => x * 10,
      (y) => 100 - y,
    )
    expect(d).toBe('M0,100L10,99.33')
    expect(
      pathOf(
        [],
        (x) => x,
        (y) => y,
      ),
    ).toBe('')
  })
})

describe('layoutChart', () => {
  it('fills the plot area: first point bottom left, top tick on the top edge', () => {
    const l = layoutChart(
      [
        [
          { x: 0, y: 0 },
          { x: 10, y: 1 },
        ],
      ],
      frame,
    )
    expect(l.plot).toEqual({ x0: 5, x1: 95, y0: 5, y1: 55 })
    expect(l.lines[0]?.d).toBe('M5,55L95,5')
    expect(l.lines[0]?.end).toEqual({ x: 95, y: 5 })
    expect(l.yTicks.at(0)).toEqual({ value: 0, at: 55 })
    expect(l.yTicks.at(-1)).toEqual({ value: 1, at: 5 })
    expect(l.empty).toBe(false)
  })

  it('keeps every point inside the plot, whatever the data', () => {
    const point = fc.record({
      x: fc.double({ min: -1e12, max: 1e12, noNaN: true }),
      y: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    })
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 30 }), (pts) => {
        const l = layoutChart([pts], frame)
        for (const m of (l.lines[0]?.d ?? '').matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)) {
          const [x, y] = [Number(m[1]), Number(m[2])]
          expect(x).toBeGreaterThanOrEqual(l.plot.x0 - 0.01)
          expect(x).toBeLessThanOrEqual(l.plot.x1 + 0.01)
          expect(y).toBeGreaterThanOrEqual(l.plot.y0 - 0.01)
          expect(y).toBeLessThanOrEqual(l.plot.y1 + 0.01)
        }
      }),
    )
  })

  it('draws nothing but the frame when empty, and a time axis of at least a minute', () => {
    const empty = layoutChart([[]], frame, { time: true })
    expect(empty.empty).toBe(true)
    expect(empty.lines[0]).toEqual({ d: '', end: null })
    expect(empty.xTicks).toEqual([])
    const one = layoutChart([[{ x: 1_700_000_000_000, y: 1 }]], frame, { time: true })
    expect(one.xExtent[1] - one.xExtent[0]).toBe(60_000)
    expect(one.xStep).toBe(15_000)
  })
})

describe('numberLabel', () => {
  it('is short', () => {
    expect([0, 1, 0.3, 0.125, 1234.5, 0.000125, 1e-7, 2e6].map(numberLabel)).toEqual([
      '0',
      '1',
      '0.3',
      '0.125',
      '1230',
      '1.25e-4',
      '1e-7',
      '2e6',
    ])
  })
})
