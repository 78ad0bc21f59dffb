/**
 * Cards on the stream path (DESIGN §4.3, §4.4): `/c/<cardId>` names a card, while the swarm
 * and the store name items (a stored item id, or the infoHash for an item fetched from
 * peers). `swarm.add` with a `cardId` records which item holds that card's ciphertext; the
 * content server then resolves the card id to that item and, when the swarm itself holds no
 * key (a paid card), asks the keys service for the card's content key. The key never leaves
 * the worker; the key service answers null after the key was sold on (its vault dropped it),
 * so the Service Worker answers 403 again.
 */

import { wipe } from '../crypto/bytes.ts'
import { type SliceCipher, sliceCipher } from '../crypto/content.ts'
import type { ContentSource } from './contentServer.ts'

const CARD_ID = /^0x[0-9a-f]{64}$/

/** Which item holds which card's ciphertext, both ways (in memory: the player re-adds). */
export class CardItems {
  private readonly items = new Map<string, string>()
  private readonly cards = new Map<string, string>()

  /** Records that `itemId` holds the ciphertext of `cardId`; throws RangeError on a bad id. */
  set(cardId: string, itemId: string): void {
    const id = cardId.toLowerCase()
    if (!CARD_ID.test(id))
      throw new RangeError(`cardId: expected 0x and 64 hex digits, got ${cardId.slice(0, 80)}`)
    this.items.set(id, itemId)
    this.cards.set(itemId, id)
  }

  itemOf(cardId: string): string | null {
    return this.items.get(cardId.toLowerCase()) ?? null
  }

  cardOf(itemId: string): `0x${string}` | null {
    return (this.cards.get(itemId) as `0x${string}` | undefined) ?? null
  }
}

/** What {@link withCards} needs besides the swarm's own content source. */
export type CardKeyComponents = {
  cards: CardItems
  /** The raw content key of a card this identity may decrypt (`keys.contentKey`), or null. */
  contentKey(cardId: `0x${string}`): Promise<Uint8Array | null>
}

/**
 * A content source that also resolves card ids and finds paid cards' keys through the keys
 * service (the swarm's own key — a free card's, or the creator's — is tried first).
 * @example serveContentPort(port, withCards(swarmSource, { cards, contentKey: (id) => keys.contentKey(id) }))
 */
export function withCards(src: ContentSource, c: CardKeyComponents): ContentSource {
  return {
    ...src,
    resolve: async (id) => (await src.resolve(id)) ?? c.cards.itemOf(id),
    cipherFor: async (itemId): Promise<SliceCipher | null> => {
      const own = await src.cipherFor(itemId)
      if (own) return own
      const cardId = c.cards.cardOf(itemId)
      if (!cardId) return null
      const item = await (await src.store()).item(itemId)
      const key = item ? await c.contentKey(cardId) : null
      if (!item || !key) return null
      try {
        return await sliceCipher(key, item.contentSalt)
      } finally {
        wipe(key)
      }
    },
  }
}
