/**
 * A card opened in a viewer page: the card (CardLoader) and its content (CardContent), started
 * together; the view is counted (a signed receipt) once the card is found.
 */
import type { Hex } from '../../shared/card/card.ts'
import type { NodeState } from '../lib/node.svelte.ts'
import { CardLoader } from './cardLoader.svelte.ts'
import { CardContent } from './content.svelte.ts'

export class OpenedCard {
  readonly card = new CardLoader()
  content = $state.raw<CardContent | null>(null)

  /** Starts both for `id`; returns the function that stops them. */
  start(node: NodeState, id: Hex): () => void {
    const rpc = node.rpc
    if (!rpc) return () => {}
    const stopCard = this.card.start(rpc, id, () => {
      if (node.identity?.state === 'ready') void rpc.call('feed.view', { id }).catch(() => {})
    })
    const content = new CardContent(rpc, id)
    this.content = content
    const stopContent = content.start()
    return () => {
      stopCard()
      stopContent()
    }
  }

  /** For an `$effect`: asks about a paid card once the Service Worker answers. */
  check(): void {
    const item = this.card.item
    if (this.content?.ready && item) this.content.onReady(!item.card.access.free)
  }
}
