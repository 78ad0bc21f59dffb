import { describe, expect, it } from 'vitest'
import { backoffDelay, sleep } from './backoff.ts'

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const opts = { initial: 100, max: 1000, jitter: 0, random: () => 0 }
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ])
  })
  it('adds at most the jitter fraction', () => {
    const opts = { initial: 100, max: 1000, jitter: 0.5 }
    expect(backoffDelay(0, { ...opts, random: () => 0.999 })).toBe(150)
    expect(backoffDelay(0, { ...opts, random: () => 0 })).toBe(100)
  })
})

describe('sleep', () => {
  it('rejects with the abort reason', async () => {
    const ac = new AbortController()
    const p = sleep(10_000, ac.signal)
    ac.abort(new Error('stop'))
    await expect(p).rejects.toThrow('stop')
  })
})
