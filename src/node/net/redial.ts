import { backoffDelay } from './backoff.ts'

/** The first wait after a failed direct dial, and the longest (ms). */
export const REDIAL_INITIAL_MS = 2_000
export const REDIAL_MAX_MS = 60_000

/**
 * When a tab that is still announcing itself may be dialled directly again.
 *
 * libp2p reports a peer as discovered once, and again only when its addresses change, so a
 * direct dial that failed (a timeout on a busy machine) was never tried again while the peer
 * stayed: the two tabs then shared nothing but the relay's circuit and gossip, and a leaving
 * peer was noticed only when its summaries expired. Each announcement of a peer whose dial
 * failed (every few seconds) asks {@link due}: no for a back-off that doubles from
 * {@link REDIAL_INITIAL_MS} to {@link REDIAL_MAX_MS}. A peer that left stops announcing, so it
 * is not dialled again. A success clears the record. Peers whose connection closed are left
 * alone (the connection manager may have closed it, and would close it again).
 */
export class Redials {
  readonly #failed = new Map<string, { attempts: number; retryAt: number }>()
  readonly #random: () => number

  constructor(random: () => number = Math.random) {
    this.#random = random
  }

  /** Whether a direct dial to `peer` failed and has not succeeded since. */
  failing(peer: string): boolean {
    return this.#failed.has(peer)
  }

  /** Whether `peer` may be dialled at `now`. */
  due(peer: string, now: number): boolean {
    const f = this.#failed.get(peer)
    return !f || now >= f.retryAt
  }

  failed(peer: string, now: number): void {
    const attempts = (this.#failed.get(peer)?.attempts ?? 0) + 1
    const wait = backoffDelay(attempts - 1, {
      initial: REDIAL_INITIAL_MS,
      max: REDIAL_MAX_MS,
      random: this.#random,
    })
    this.#failed.set(peer, { attempts, retryAt: now + wait })
  }

  succeeded(peer: string): void {
    this.#failed.delete(peer)
  }
}
