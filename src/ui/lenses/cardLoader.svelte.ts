/**
 * One card by id, as a view shows it: looked up in the node's index (or fetched from the chain
 * by the node), retried while a fresh profile's indexer catches up, and kept current by the
 * node's `feed.cards` events. The card view and every viewer page use it.
 */
import type { Hex } from '../../shared/card/card.ts'
import type { FeedCard } from '../../shared/card/feed.ts'
import { errorText } from '../lib/action.svelte.ts'
import type { RpcClient } from '../lib/rpc-client.ts'

/** How often a card not found yet is looked up again. */
const RETRY_MS = 2_000

export class CardLoader {
  item = $state.raw<FeedCard | null>(null)
  phase = $state<'loading' | 'found' | 'missing' | 'error'>('loading')
  error = $state<string | null>(null)

  /**
   * Looks `id` up and follows it; `onFound` runs once, when the card is first found.
   * Returns the function that stops.
   */
  start(rpc: RpcClient, id: Hex, onFound?: (item: FeedCard) => void): () => void {
    this.item = null
    this.phase = 'loading'
    this.error = null
    let found = false
    const found1 = (c: FeedCard) => {
      this.item = c
      this.phase = 'found'
      if (!found) {
        found = true
        onFound?.(c)
      }
    }
    const load = async () => {
      try {
        const c = await rpc.call('feed.card', { id })
        if (c) found1(c)
        else this.phase = 'missing'
      } catch (err) {
        this.phase = 'error'
        this.error = errorText(err)
      }
    }
    void load()
    const retry = setInterval(() => {
      if (this.phase === 'missing') void load()
    }, RETRY_MS)
    const off = rpc.onEvent((e) => {
      if (e.kind !== 'feed.cards') return
      const mine = e.cards.find((c) => c.id === id)
      if (mine) found1(mine)
    })
    return () => {
      clearInterval(retry)
      off()
    }
  }
}
