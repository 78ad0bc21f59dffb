import { describe, expect, it } from 'vitest'
import { layout } from '../crypto/layout.ts'
import { BigPiece } from './piece.ts'
import { criticalSlices, overdue, shouldBan } from './window.ts'

const S = 262144
const P = S - 16

describe('criticalSlices', () => {
  const l = layout(100 * P + 5, S)
  it('covers the byte window from the play head', () => {
    expect(criticalSlices(l, 0, { seconds: 10, bytes: 4 * P })).toEqual({ first: 0, last: 3 })
    expect(criticalSlices(l, P + 1, { seconds: 10, bytes: 4 * P })).toEqual({ first: 1, last: 5 })
  })
  it('widens to the seconds window when the duration is known', () => {
    // 101 slices over 101 s: 10 s ≈ 10 slices.
    const w = criticalSlices(l, 0, { seconds: 10, bytes: P, duration: 101 })
    expect(w.first).toBe(0)
    expect(w.last).toBeGreaterThanOrEqual(9)
    expect(w.last).toBeLessThanOrEqual(10)
  })
  it('clamps at the end', () => {
    expect(criticalSlices(l, l.size + 10, { seconds: 1, bytes: 8 * P })).toEqual({
      first: 100,
      last: 100,
    })
  })
})

describe('overdue', () => {
  it('picks only critical requests past the deadline', () => {
    const reqs = [
      { index: 1, offset: 0, at: 0 },
      { index: 2, offset: 0, at: 0 },
      { index: 1, offset: 65536, at: 900 },
    ]
    expect(overdue(reqs, 1000, 500, (i) => i === 1)).toEqual([{ index: 1, offset: 0, at: 0 }])
  })
})

describe('shouldBan', () => {
  it('bans a sole source at once and a shared one only without passes', () => {
    expect(shouldBan({ failures: 1, passes: 5 }, true, 2)).toBe(true)
    expect(shouldBan({ failures: 1, passes: 0 }, false, 2)).toBe(false)
    expect(shouldBan({ failures: 2, passes: 0 }, false, 2)).toBe(true)
    expect(shouldBan({ failures: 3, passes: 1 }, false, 2)).toBe(false)
  })
})

describe('BigPiece', () => {
  it('reserves 64 KiB blocks, takes cancellations back, and flushes in order', () => {
    const p = new BigPiece(3 * 65536 + 10)
    expect([p.reserve(), p.reserve(), p.reserve(), p.reserve(), p.reserve()]).toEqual([
      0, 1, 2, 3, -1,
    ])
    expect(p.chunkLength(3)).toBe(10)
    p.cancel(1)
    expect(p.reserve()).toBe(1)
    for (const i of [3, 0, 2])
      expect(p.set(i, new Uint8Array(p.chunkLength(i)).fill(i), 'a')).toBe(false)
    expect(p.set(1, new Uint8Array(65536).fill(1), 'b')).toBe(true)
    const out = p.flush()!
    expect(out.length).toBe(3 * 65536 + 10)
    expect([out[0], out[65536], out[2 * 65536], out[3 * 65536]]).toEqual([0, 1, 2, 3])
    expect(p.reserve()).toBe(-1)
  })
})
