/**
 * Card titles for lists that only hold card ids (the wallet's keys and sales): read once per
 * card from the node's feed index (`feed.card`) and kept. A card the index does not hold yet
 * is asked again on a later call.
 */
import type { Rpc } from '../lib/rpc-client.ts'

export class CardTitles {
  /** Card id (lower-case) → title. */
  byId = $state.raw<ReadonlyMap<string, string>>(new Map())
  #asking = new Set<string>()

  constructor(private readonly rpc: Rpc) {}

  /** The title of a card, or null while unknown. */
  of(cardId: string): string | null {
    return this.byId.get(cardId.toLowerCase()) ?? null
  }

  /** Reads the titles of the cards not known yet. */
  async want(cardIds: readonly string[]): Promise<void> {
    const missing = [...new Set(cardIds.map((c) => c.toLowerCase()))].filter(
      (id) => !this.byId.has(id) && !this.#asking.has(id),
    )
    if (missing.length === 0) return
    for (const id of missing) this.#asking.add(id)
    const found = await Promise.all(
      missing.map((id) =>
        this.rpc
          .call('feed.card', { id: id as `0x${string}` })
          .then((c) => (c ? ([id, c.card.title] as const) : null))
          .catch(() => null)
          .finally(() => this.#asking.delete(id)),
      ),
    )
    const next = new Map(this.byId)
    for (const f of found) if (f) next.set(f[0], f[1] || 'Untitled')
    this.byId = next
  }
}
