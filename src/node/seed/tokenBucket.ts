/**
 * One token bucket for an upload (or download) cap shared by every wire (DESIGN §4.7): a wire
 * asks for the bytes of the block it is about to send and waits until the bucket grants them.
 *
 * Guarantee: over any window of length `w`, the bytes granted are at most `rate·w + burst`.
 * That is why a single request may not exceed `burst` (it would be granted in one instant):
 * BitTorrent sends 16 KiB blocks, so callers take per block, far below the default burst.
 *
 * Waiters are served first come, first served, so one busy wire cannot starve the others; a
 * waiter behind the head is not served early even when its request is smaller (that would let
 * many small requests starve a large one).
 */
import { AbortedError } from '../../shared/errors/common.ts'

/** Time and timers; injectable so tests run on a simulated clock. */
export type BucketClock = {
  /** Milliseconds, monotonic. */
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The real clock: `performance.now()` (monotonic, unlike `Date.now()`) and the global timers. */
export const systemClock: BucketClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
}

/** The smallest default burst: one default slice (256 KiB), well above a 16 KiB block. */
export const MIN_DEFAULT_BURST = 256 * 1024

/**
 * The default burst for a rate: a quarter second of traffic, at least {@link MIN_DEFAULT_BURST}.
 * Small enough that a 10 s measurement stays within a few percent of the rate (256 KiB over
 * 10 s at 2 MB/s is 1.3 %), large enough that timer granularity does not cap throughput.
 */
export function defaultBurst(rate: number): number {
  return Number.isFinite(rate) ? Math.max(MIN_DEFAULT_BURST, Math.ceil(rate / 4)) : Infinity
}

export type TokenBucketInit = {
  /** Bytes per second, > 0; `Infinity` means uncapped (every request is granted at once). */
  rate: number
  /** Most bytes granted at once after idling; defaults to {@link defaultBurst}. */
  burst?: number
  clock?: BucketClock
}

export type TokenBucket = {
  /**
   * Waits until `bytes` are granted. Rejects with `AbortedError` when `signal` aborts first
   * (the bytes are then not taken), with `RangeError` when `bytes` exceeds the burst.
   */
  take(bytes: number, options?: { signal?: AbortSignal }): Promise<void>
  /** Takes `bytes` if they are available now and nobody is waiting; never waits. */
  tryTake(bytes: number): boolean
  /**
   * Changes the rate (and burst, by default {@link defaultBurst} of the new rate) at runtime.
   * Tokens earned so far are kept (up to the new burst); waiters are rescheduled.
   */
  setRate(rate: number, burst?: number): void
  /** The current rate, burst, available tokens and number of waiters. */
  readonly state: { rate: number; burst: number; tokens: number; waiting: number }
  /** Rejects every waiter with `AbortedError` and cancels the timer. */
  close(): void
}

type Waiter = {
  bytes: number
  resolve: () => void
  reject: (err: unknown) => void
  cleanup: () => void
}

function checkRate(rate: number, burst: number): void {
  if (typeof rate !== 'number' || Number.isNaN(rate) || rate <= 0)
    throw new RangeError(`rate: expected a number > 0 bytes/s, got ${rate}`)
  if (typeof burst !== 'number' || Number.isNaN(burst) || burst <= 0)
    throw new RangeError(`burst: expected a number > 0 bytes, got ${burst}`)
  // An infinite burst at a finite rate would grant everything: no cap at all.
  if (!Number.isFinite(burst) && Number.isFinite(rate))
    throw new RangeError(`burst: expected a finite number for a finite rate, got ${burst}`)
}

/**
 * Creates a token bucket, full at creation.
 * @example
 * const upload = createTokenBucket({ rate: 2_000_000 })
 * await upload.take(16_384, { signal }) // then send the block
 * upload.setRate(1_000_000) // the user lowered the cap
 */
export function createTokenBucket(init: TokenBucketInit): TokenBucket {
  const clock = init.clock ?? systemClock
  let rate = init.rate
  let burst = init.burst ?? defaultBurst(rate)
  checkRate(rate, burst)
  let tokens = burst
  let last = clock.now()
  let timer: unknown = null
  const queue: Waiter[] = []

  const refill = (): void => {
    const now = clock.now()
    if (now > last) tokens = Math.min(burst, tokens + ((now - last) * rate) / 1000)
    last = now
  }

  const schedule = (): void => {
    if (timer !== null) clock.clearTimeout(timer)
    timer = null
    const head = queue[0]
    if (!head) return
    const ms = Math.max(1, Math.ceil(((head.bytes - tokens) * 1000) / rate))
    timer = clock.setTimeout(pump, ms)
  }

  // Grants waiters in order while tokens last; a timer fires when the head can be served.
  // A timer that fires a little early just reschedules: tokens are recomputed from the clock.
  function pump(): void {
    timer = null
    refill()
    while (queue.length > 0) {
      const head = queue[0] as Waiter
      if (head.bytes > tokens && Number.isFinite(burst)) break
      queue.shift()
      tokens -= head.bytes
      head.cleanup()
      head.resolve()
    }
    schedule()
  }

  const checkBytes = (bytes: number): void => {
    if (!Number.isFinite(bytes) || bytes < 0)
      throw new RangeError(`bytes: expected a finite number ≥ 0, got ${bytes}`)
    if (bytes > burst)
      throw new RangeError(`bytes: expected at most the burst (${burst}), got ${bytes}`)
  }

  return {
    take(bytes, options = {}) {
      try {
        checkBytes(bytes)
      } catch (err) {
        return Promise.reject(err)
      }
      const signal = options.signal
      if (signal?.aborted) return Promise.reject(new AbortedError('The transfer was cancelled.'))
      refill()
      if (queue.length === 0 && (bytes <= tokens || !Number.isFinite(burst))) {
        tokens -= bytes
        return Promise.resolve()
      }
      return new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          const i = queue.indexOf(waiter)
          if (i < 0) return
          queue.splice(i, 1)
          // The head left: the next waiter may be servable now, or needs its own timer.
          if (i === 0) pump()
          reject(new AbortedError('The transfer was cancelled.'))
        }
        const waiter: Waiter = {
          bytes,
          resolve,
          reject,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        queue.push(waiter)
        if (queue.length === 1) schedule()
      })
    },

    tryTake(bytes) {
      checkBytes(bytes)
      refill()
      if (queue.length > 0 || bytes > tokens) return false
      tokens -= bytes
      return true
    },

    setRate(newRate, newBurst) {
      const b = newBurst ?? defaultBurst(newRate)
      checkRate(newRate, b)
      refill() // tokens earned at the old rate up to now
      rate = newRate
      burst = b
      tokens = Math.min(tokens, burst)
      // A waiter larger than the new burst could never be served: refuse it rather than hang.
      for (let i = queue.length - 1; i >= 0; i--) {
        const w = queue[i] as Waiter
        if (w.bytes > burst) {
          queue.splice(i, 1)
          w.cleanup()
          w.reject(
            new RangeError(`bytes: expected at most the new burst (${burst}), got ${w.bytes}`),
          )
        }
      }
      pump()
    },

    get state() {
      refill()
      return { rate, burst, tokens, waiting: queue.length }
    },

    close() {
      if (timer !== null) clock.clearTimeout(timer)
      timer = null
      for (const w of queue.splice(0)) {
        w.cleanup()
        w.reject(new AbortedError('The bucket was closed.'))
      }
    },
  }
}
