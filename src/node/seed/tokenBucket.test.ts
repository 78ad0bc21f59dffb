import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createFakeClock } from './_fakeClock.ts'
import { createTokenBucket, defaultBurst } from './tokenBucket.ts'

const KiB = 1024

describe('token bucket', () => {
  it('grants the burst at once, then waits exactly as long as the rate says', async () => {
    const clock = createFakeClock()
    const bucket = createTokenBucket({ rate: 1000, burst: 2000, clock })
    await bucket.take(2000)
    let done = false
    const p = bucket.take(500).then(() => {
      done = true
    })
    await clock.advance(499)
    expect(done).toBe(false)
    await clock.advance(1)
    await p
    expect(done).toBe(true)
    expect(clock.now()).toBe(500)
  })

  it('serves waiters first come, first served', async () => {
    const clock = createFakeClock()
    const bucket = createTokenBucket({ rate: 1000, burst: 1000, clock })
    await bucket.take(1000)
    const order: string[] = []
    const a = bucket.take(800).then(() => order.push(`a@${clock.now()}`))
    const b = bucket.take(100).then(() => order.push(`b@${clock.now()}`))
    // b is small but must not jump ahead of a.
    expect(bucket.tryTake(1)).toBe(false)
    await clock.advance(1000)
    await Promise.all([a, b])
    expect(order).toEqual(['a@800', 'b@900'])
  })

  it('an aborted waiter takes nothing and the next one moves up', async () => {
    const clock = createFakeClock()
    const bucket = createTokenBucket({ rate: 1000, burst: 1000, clock })
    await bucket.take(1000)
    const ctrl = new AbortController()
    const a = bucket.take(900, { signal: ctrl.signal })
    let bAt = -1
    const b = bucket.take(200).then(() => {
      bAt = clock.now()
    })
    await clock.advance(100)
    ctrl.abort()
    await expect(a).rejects.toMatchObject({ name: 'AbortedError' })
    await clock.advance(200)
    await b
    expect(bAt).toBe(200)
    expect(bucket.state.waiting).toBe(0)
  })

  it('rejects an already-aborted signal and a request above the burst', async () => {
    const bucket = createTokenBucket({ rate: 1000, burst: 1000, clock: createFakeClock() })
    await expect(bucket.take(1, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortedError',
    })
    await expect(bucket.take(1001)).rejects.toBeInstanceOf(RangeError)
    await expect(bucket.take(-1)).rejects.toBeInstanceOf(RangeError)
    expect(() => createTokenBucket({ rate: 0 })).toThrow(RangeError)
    expect(() => createTokenBucket({ rate: 1000, burst: Infinity })).toThrow(RangeError)
  })

  it('holds a configured rate within ±10 % over 10 s with three busy wires (simulated clock)', async () => {
    const clock = createFakeClock()
    const rate = 2_000_000
    const bucket = createTokenBucket({ rate, clock })
    let sent = 0
    let running = true
    const wire = async (): Promise<void> => {
      while (running) {
        await bucket.take(16 * KiB)
        sent += 16 * KiB
      }
    }
    const wires = [wire(), wire(), wire()]
    await clock.advance(10_000)
    running = false
    bucket.close()
    await Promise.allSettled(wires)
    const measured = sent / 10
    expect(Math.abs(measured - rate) / rate).toBeLessThan(0.1)
  })

  it('changes rate at runtime, keeping earned tokens up to the new burst', async () => {
    const clock = createFakeClock()
    const bucket = createTokenBucket({ rate: 1_000_000, clock })
    let sent = 0
    let running = true
    const loop = (async () => {
      while (running) {
        await bucket.take(16 * KiB)
        sent += 16 * KiB
      }
    })()
    await clock.advance(5_000)
    bucket.setRate(250_000)
    expect(bucket.state.burst).toBe(defaultBurst(250_000))
    expect(bucket.state.tokens).toBeLessThanOrEqual(bucket.state.burst)
    const before = sent
    await clock.advance(10_000)
    const rate = (sent - before) / 10
    expect(Math.abs(rate - 250_000) / 250_000).toBeLessThan(0.1)
    running = false
    bucket.close()
    await loop.catch(() => {})
  })

  it('refuses waiters that a smaller new burst could never serve, rather than hang', async () => {
    const clock = createFakeClock()
    const bucket = createTokenBucket({ rate: 1000, burst: 1000, clock })
    await bucket.take(1000)
    const big = bucket.take(900)
    bucket.setRate(1000, 500)
    await expect(big).rejects.toBeInstanceOf(RangeError)
  })

  it('grants everything at once when uncapped', async () => {
    const bucket = createTokenBucket({ rate: Infinity, clock: createFakeClock() })
    for (let i = 0; i < 100; i++) await bucket.take(1_000_000)
    expect(bucket.tryTake(10_000_000)).toBe(true)
  })

  it('never grants more than rate·window + burst in any window (property)', async () => {
    const request = fc.record({
      at: fc.integer({ min: 0, max: 5_000 }),
      bytes: fc.integer({ min: 0, max: 4_000 }),
      abortAfter: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
      try: fc.boolean(),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100, max: 50_000 }),
        fc.integer({ min: 4_000, max: 20_000 }),
        fc.array(request, { maxLength: 60 }),
        async (rate, burst, requests) => {
          const clock = createFakeClock()
          const bucket = createTokenBucket({ rate, burst, clock })
          const grants: { t: number; bytes: number }[] = []
          const pending: Promise<unknown>[] = []
          for (const r of requests)
            clock.setTimeout(() => {
              if (r.try) {
                if (bucket.tryTake(r.bytes)) grants.push({ t: clock.now(), bytes: r.bytes })
                return
              }
              const ctrl = new AbortController()
              if (r.abortAfter !== undefined) clock.setTimeout(() => ctrl.abort(), r.abortAfter)
              pending.push(
                bucket
                  .take(r.bytes, { signal: ctrl.signal })
                  .then(() => grants.push({ t: clock.now(), bytes: r.bytes }))
                  .catch(() => {}),
              )
            }, r.at)
          await clock.advance(5_000 + (60 * 4_000 * 1000) / rate + 1_000)
          await Promise.all(pending)
          expect(bucket.state.waiting).toBe(0)
          grants.sort((a, b) => a.t - b.t)
          // The worst windows start and end at grant times.
          for (let i = 0; i < grants.length; i++) {
            let sum = 0
            for (let j = i; j < grants.length; j++) {
              sum += (grants[j] as { bytes: number }).bytes
              const w = (grants[j] as { t: number }).t - (grants[i] as { t: number }).t
              expect(sum).toBeLessThanOrEqual((rate * w) / 1000 + burst + 1e-6)
            }
          }
        },
      ),
      { numRuns: 150 },
    )
  })
})
