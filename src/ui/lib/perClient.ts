/**
 * Small pieces the page's shared models (wallet/account.svelte.ts, keys/owned.svelte.ts) are
 * made of: one instance per node client, and polling that runs only while watched.
 */
import type { Rpc } from './rpc-client.ts'

/**
 * A getter that makes one `T` per node client, on first use.
 * @example export const accountOf = perClient((rpc) => new AccountModel(rpc))
 */
export function perClient<T>(make: (rpc: Rpc) => T): (rpc: Rpc) => T {
  const made = new WeakMap<Rpc, T>()
  return (rpc) => {
    let m = made.get(rpc)
    if (!m) {
      m = make(rpc)
      made.set(rpc, m)
    }
    return m
  }
}

/**
 * Runs `start` while at least one watcher holds it (its result stops it when the last one
 * lets go). `watch()` returns that watcher's release, safe to call twice.
 * @example const w = new Watched(() => { const t = setInterval(poll, 3000); return () => clearInterval(t) })
 */
export class Watched {
  #count = 0
  #stop: (() => void) | null = null

  constructor(private readonly start: () => () => void) {}

  watch(): () => void {
    if (this.#count++ === 0) this.#stop = this.start()
    let released = false
    return () => {
      if (released) return
      released = true
      if (--this.#count === 0) {
        this.#stop?.()
        this.#stop = null
      }
    }
  }
}
