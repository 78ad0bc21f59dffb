/**
 * Which cards this account holds a key for (`keys.owned`), for the feed's "Owned" badge and the
 * card's key area: `ready` once the key has arrived, `pending` before. One model per node
 * client ({@link ownedOf}); it reads again on every `keys.update` and on a slow poll while
 * something watches it (deliveries and resales are seen from the chain).
 */
import { perClient, Watched } from '../lib/perClient.ts'
import type { Rpc } from '../lib/rpc-client.ts'

/** How often a watched list is re-read without an event, in ms. */
export const OWNED_POLL_MS = 5_000

export type OwnedState = 'ready' | 'pending'

export class OwnedCards {
  /** Card id (lower-case) → state. */
  byCard = $state.raw<ReadonlyMap<string, OwnedState>>(new Map())
  #watched = new Watched(() => {
    void this.refresh()
    const off = this.rpc.onEvent((e) => {
      if (e.kind === 'keys.update') void this.refresh()
    })
    const poll = setInterval(() => void this.refresh(), OWNED_POLL_MS)
    return () => {
      off()
      clearInterval(poll)
    }
  })

  constructor(private readonly rpc: Rpc) {}

  /** This account's key state for a card, or null when it holds none. */
  stateOf(cardId: string): OwnedState | null {
    return this.byCard.get(cardId.toLowerCase()) ?? null
  }

  /** Keeps the list fresh until the returned function is called (for `$effect`). */
  watch(): () => void {
    return this.#watched.watch()
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

/** The page's one owned-keys model for this node client. */
export const ownedOf = perClient((rpc) => new OwnedCards(rpc))
