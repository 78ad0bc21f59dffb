/**
 * Per-key turns: calls queued under one key run one after another, in call order, whether the
 * earlier ones resolved or threw; calls under other keys do not wait. The slice store takes
 * turns per item for file writes and for metadata updates (the swarm's store view lets reads
 * overlap, serialStore.ts).
 */

/** Runs `fn` after every earlier call queued under `key` in `locks` has settled. */
export function turn<T>(
  locks: Map<string, Promise<unknown>>,
  key: string,
  fn: () => Promise<T>,
): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve()
  const next = prev.then(fn, fn)
  const tail = next.catch(() => {})
  locks.set(key, tail)
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key)
  })
  return next
}
