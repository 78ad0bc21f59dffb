import { describe, expect, it } from 'vitest'
import { REDIAL_INITIAL_MS, REDIAL_MAX_MS, Redials } from './redial.ts'

describe('Redials', () => {
  it('lets a peer never dialled, or dialled with success, be dialled at once', () => {
    const r = new Redials(() => 0)
    expect(r.due('a', 0)).toBe(true)
    expect(r.failing('a')).toBe(false)
    r.failed('a', 0)
    expect(r.failing('a')).toBe(true)
    r.succeeded('a')
    expect(r.failing('a')).toBe(false)
    expect(r.due('a', 1)).toBe(true)
  })

  it('waits after each failure, doubling up to the cap, per peer', () => {
    const r = new Redials(() => 0)
    let now = 0
    const waits: number[] = []
    for (let i = 0; i < 8; i++) {
      r.failed('a', now)
      let t = now
      while (!r.due('a', t)) t += 100
      waits.push(t - now)
      now = t
    }
    expect(waits.slice(0, 4)).toEqual([
      REDIAL_INITIAL_MS,
      2 * REDIAL_INITIAL_MS,
      4 * REDIAL_INITIAL_MS,
      8 * REDIAL_INITIAL_MS,
    ])
    expect(Math.max(...waits)).toBe(REDIAL_MAX_MS)
    expect(waits.at(-1)).toBe(REDIAL_MAX_MS)
    // Another peer is not held back by a's failures.
    expect(r.due('b', now)).toBe(true)
  })

  it('adds jitter, so tabs that failed together do not retry together', () => {
    const r = new Redials(() => 1)
    r.failed('a', 0)
    expect(r.due('a', REDIAL_INITIAL_MS)).toBe(false)
    expect(r.due('a', REDIAL_INITIAL_MS * 1.3)).toBe(true)
  })
})
