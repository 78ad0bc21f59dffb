/**
 * Polls `fn` until it gives something truthy and returns it, or throws naming `what` after
 * `timeoutMs`. For unit tests that wait on a real chain or a real swarm.
 * @example const held = await waitFor('B’s key', () => vault.get(cardId))
 */
export async function waitFor<T>(
  what: string,
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  { timeoutMs = 20_000, everyMs = 50 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const v = await fn()
    if (v) return v
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`timed out waiting for ${what}`)
}
