import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stepZoom, ZOOM_STEPS } from './zoom.ts'

describe('stepZoom', () => {
  it('goes from fitted to full size, up the ladder, and back down to fitted', () => {
    expect(stepZoom(null, 1)).toBe(1)
    expect(stepZoom(null, -1)).toBeNull()
    expect(stepZoom(1, 1)).toBe(1.5)
    expect(stepZoom(4, 1)).toBe(4)
    expect(stepZoom(1, -1)).toBe(0.5)
    expect(stepZoom(0.25, -1)).toBeNull()
  })

  it('always lands on the ladder (or fitted), moving the way asked', () => {
    fc.assert(
      fc.property(
        fc.option(fc.double({ min: 0.01, max: 10, noNaN: true }), { nil: null }),
        fc.constantFrom(1 as const, -1 as const),
        (z, dir) => {
          const next = stepZoom(z, dir)
          if (next !== null) expect(ZOOM_STEPS).toContain(next)
          if (z !== null && next !== null) {
            if (dir === 1) expect(next).toBeGreaterThanOrEqual(Math.min(z, 4))
            else expect(next).toBeLessThan(z)
          }
        },
      ),
    )
  })
})
