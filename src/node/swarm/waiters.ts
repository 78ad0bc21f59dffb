/**
 * Waiting for a slice to be stored: a per-index set of callbacks the chunk store fires, with
 * a re-check against the store (the slice may land between the check and the wait), a
 * deadline and an AbortSignal.
 */
import { AbortedError, TimeoutError } from '../../shared/errors/common.ts'

export async function waitForSlice(
  waiters: Map<number, Set<() => void>>,
  i: number,
  has: () => Promise<boolean>,
  o: { signal?: AbortSignal | undefined; timeoutMs: number },
): Promise<void> {
  if (o.signal?.aborted) throw new AbortedError('Waiting for the slice was cancelled.')
  let fire: () => void = () => {}
  const arrived = new Promise<void>((resolve) => {
    fire = resolve
  })
  const set = waiters.get(i) ?? new Set<() => void>()
  waiters.set(i, set)
  set.add(fire)
  let timer: ReturnType<typeof setTimeout> | undefined
  let onAbort: () => void = () => {}
  try {
    if (await has()) return
    await Promise.race([
      arrived,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new TimeoutError(`Slice ${i} did not finish within ${o.timeoutMs} ms.`)),
          o.timeoutMs,
        )
        onAbort = () => reject(new AbortedError('Waiting for the slice was cancelled.'))
        o.signal?.addEventListener('abort', onAbort, { once: true })
      }),
    ])
  } finally {
    clearTimeout(timer)
    o.signal?.removeEventListener('abort', onAbort)
    set.delete(fire)
  }
}
