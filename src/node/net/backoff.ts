import { NET_DEFAULTS } from './constants.ts'

/**
 * Exponential backoff with jitter: `initial · 2^attempt`, capped, plus up to `jitter` of it
 * at random so a relay restart is not met by every tab in the same millisecond.
 */
export type BackoffOptions = {
  initial?: number
  max?: number
  jitter?: number
  random?: () => number
}

export function backoffDelay(
  attempt: number,
  {
    initial = NET_DEFAULTS.backoffInitialMs,
    max = NET_DEFAULTS.backoffMaxMs,
    jitter = NET_DEFAULTS.backoffJitter,
    random = Math.random,
  }: BackoffOptions = {},
): number {
  const base = Math.min(max, initial * 2 ** Math.max(0, attempt))
  return Math.round(base * (1 + jitter * random()))
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
