/**
 * Which cards this account holds a key for (`keys.owned`), for the feed's "Owned" badge and the
 * card's key area: `ready` once the key has arrived, `pending` before. One model per node
 * client ({@link ownedOf}); it reads again on every `keys.update` and on a slow poll while
 * something watches it (deliveries and resales are seen from the chain).
 */
import type { Rpc } from '../lib/rpc-client.ts'

/** How often a watched list is re-read without an event, in ms. */
export const OWNED_POLL_MS = 5_000

export type OwnedState = 'ready' | 'pending'

export class OwnedCards {
  /** Card id (lower-case) → state. */
  byCard = $state.raw<ReadonlyMap<string, OwnedState>>(new Map())
  #watchers = 0
  #stop: (() => void) | null = null

  constructor(private readonly rpc: Rpc) {}

  /** This account's key state for a card, or null when it holds none. */
  stateOf(cardId: string): OwnedState | null {
    return this.byCard.get(cardId.toLowerCase()) ?? null
  }

  /** Keeps the list fresh until the returned function is called (for `$effect`). */
  watch(): () => void {
    if (this.#watchers++ === 0) {
      void this.refresh()
      const off = this.rpc.onEvent((e) => {
        if (e.kind === 'keys.update') void this.refresh()
      })
      const poll = setInterval(() => void this.refresh(), OWNED_POLL_MS)
      this.#stop = () => {
        off()
        clearInterval(poll)
      }
    }
    let stopped = false
    return () => {
      if (stopped) return
      stopped = true
      if (--this.#watchers === 0) {
        this.#stop?.()
        this.#stop = null
      }
    }
  }

  async refresh(): Promise<void> {
    try {
      const { cards } = await this.rpc.call('keys.owned', undefined)
      this.byCard = new Map(cards.map((c) => [c.cardId.toLowerCase(), c.state]))
    } catch {
      // No identity or chain yet: nothing is owned.
      this.byCard = new Map()
    }
  }
}

const models = new WeakMap<Rpc, OwnedCards>()

/** The page's one owned-keys model for this node client. */
export function ownedOf(rpc: Rpc): OwnedCards {
  let m = models.get(rpc)
  if (!m) {
    m = new OwnedCards(rpc)
    models.set(rpc, m)
  }
  return m
}
