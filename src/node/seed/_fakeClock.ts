/**
 * A simulated clock for the seed modules' tests and benchmarks: time moves only when told to,
 * and timers fire in due order, so rate tests over "10 seconds" run in milliseconds and exactly.
 */
import type { BucketClock } from './tokenBucket.ts'

/** A {@link BucketClock} whose time is advanced by hand. */
export type FakeClock = BucketClock & {
  /** Moves time forward by `ms`, firing every timer due on the way (in due order). */
  advance(ms: number): Promise<void>
  /** Timers not yet fired. */
  readonly pending: number
}

/**
 * Creates a simulated clock starting at `start` ms.
 * @example
 * const clock = createFakeClock()
 * const bucket = createTokenBucket({ rate: 1000, clock })
 * await clock.advance(1000)
 */
export function createFakeClock(start = 0): FakeClock {
  let now = start
  let nextId = 1
  const timers = new Map<number, { at: number; fn: () => void }>()
  // Lets every pending promise continuation run (they may set new timers) before the next
  // timer fires, as between real timer tasks: a real macrotask turn drains the microtasks.
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++
      timers.set(id, { at: now + Math.max(0, ms), fn })
      return id
    },
    clearTimeout(h) {
      timers.delete(h as number)
    },
    async advance(ms) {
      const end = now + ms
      for (;;) {
        await settle()
        let due: [number, { at: number; fn: () => void }] | undefined
        for (const t of timers) if (t[1].at <= end && (!due || t[1].at < due[1].at)) due = t
        if (!due) break
        timers.delete(due[0])
        now = Math.max(now, due[1].at)
        due[1].fn()
      }
      now = end
      await settle()
    },
    get pending() {
      return timers.size
    },
  }
}
