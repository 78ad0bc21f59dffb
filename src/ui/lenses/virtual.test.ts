import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { columnsFor, offsetsOf, rowCount, rowItems, visibleRows } from './virtual.ts'

const heights = fc.array(fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }), {
  maxLength: 300,
})

describe('virtual scroll math', () => {
  it('offsets are the running sum of heights, estimates for the unmeasured', () => {
    expect(offsetsOf([10, undefined, 30], 20)).toEqual([0, 10, 30, 60])
    expect(offsetsOf([], 20)).toEqual([0])
    fc.assert(
      fc.property(heights, fc.integer({ min: 1, max: 400 }), (hs, est) => {
        const o = offsetsOf(hs, est)
        expect(o).toHaveLength(hs.length + 1)
        for (let i = 0; i < hs.length; i++) expect(o[i + 1]! - o[i]!).toBe(hs[i] ?? est)
      }),
    )
  })

  it('renders exactly the rows that meet the viewport widened by the overscan', () => {
    fc.assert(
      fc.property(
        heights,
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: -2_000, max: 100_000 }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        (hs, est, top, height, overscan) => {
          const o = offsetsOf(hs, est)
          const [start, end] = visibleRows(o, top, height, overscan)
          const from = top - overscan
          const to = top + height + overscan
          const meets = (i: number) => o[i]! < to && o[i + 1]! > from
          const expected = hs.map((_, i) => i).filter(meets)
          const got = Array.from({ length: end - start }, (_, k) => start + k)
          expect(got).toEqual(expected)
        },
      ),
    )
  })

  it('renders a bounded number of rows however long the list', () => {
    const o = offsetsOf(new Array(100_000).fill(undefined), 100)
    const [start, end] = visibleRows(o, 5_000_000, 800, 400)
    expect(start).toBe(49_996)
    expect(end - start).toBe(16)
    expect(visibleRows(o, 20_000_000, 800, 400)).toEqual([0, 0])
    expect(visibleRows(o, -5_000, 800, 400)).toEqual([0, 0])
  })

  it('fits as many columns of the minimum width as the width allows, at least one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000 }),
        fc.integer({ min: 40, max: 600 }),
        fc.integer({ min: 0, max: 40 }),
        (width, min, gap) => {
          const cols = columnsFor(width, min, gap)
          expect(cols).toBeGreaterThanOrEqual(1)
          if (cols > 1) expect(cols * min + (cols - 1) * gap).toBeLessThanOrEqual(width)
          expect((cols + 1) * min + cols * gap).toBeGreaterThan(width)
        },
      ),
    )
  })

  it('splits items into rows that cover each item once', () => {
    fc.assert(
      fc.property(fc.nat(500), fc.integer({ min: 1, max: 12 }), (count, cols) => {
        const seen: number[] = []
        for (let r = 0; r < rowCount(count, cols); r++) {
          const [a, b] = rowItems(r, cols, count)
          expect(b - a).toBeGreaterThan(0)
          expect(b - a).toBeLessThanOrEqual(cols)
          for (let i = a; i < b; i++) seen.push(i)
        }
        expect(seen).toEqual(Array.from({ length: count }, (_, i) => i))
      }),
    )
  })
})
