/**
 * Cards on the stream path (DESIGN §4.3, §4.4): `/c/<cardId>` names a card, while the swarm
 * and the store name items (a stored item id, or the infoHash for an item fetched from
 * peers). `swarm.add` with a `cardId` records which item holds that card's ciphertext; the
 * content server then resolves the card id to that item and, when the swarm itself holds no
 * key (a paid card), asks the keys service for the card's content key. The key never leaves
 * the worker; the key service answers null after the key was sold on (its vault dropped it),
 * so the Service Worker answers 403 again. The card ↔ item map is kept in IndexedDB, so a
 * `/c/<cardId>` link (a reload of the player, a share link) works after the worker restarted.
 */

import { type IDBPDatabase, openDB } from 'idb'
import type { ContentSource } from '../content/portServer.ts'
import { wipe } from '../crypto/bytes.ts'
import { type SliceCipher, sliceCipher } from '../crypto/content.ts'

const CARD_ID = /^0x[0-9a-f]{64}$/

export const CARD_ITEMS_DB = 'hashcard-card-items'

type Row = { cardId: string; itemId: string }

/** Which item holds which card's ciphertext, both ways: IndexedDB, with a memory cache. */
export class CardItems {
  private readonly items = new Map<string, string>()
  private readonly cards = new Map<string, string>()
  private db: Promise<IDBPDatabase> | null = null

  constructor(private readonly dbName = CARD_ITEMS_DB) {}

  /** Records that `itemId` holds the ciphertext of `cardId`; throws RangeError on a bad id. */
  async set(cardId: string, itemId: string): Promise<void> {
    const id = cardId.toLowerCase()
    if (!CARD_ID.test(id))
      throw new RangeError(`cardId: expected 0x and 64 hex digits, got ${cardId.slice(0, 80)}`)
    if (this.items.get(id) === itemId) return
    await (await this.open()).put('cards', { cardId: id, itemId } satisfies Row)
    this.items.set(id, itemId)
    this.cards.set(itemId, id)
  }

  async itemOf(cardId: string): Promise<string | null> {
    const id = cardId.toLowerCase()
    if (!CARD_ID.test(id)) return null
    const hit = this.items.get(id)
    if (hit) return hit
    const row = (await (await this.open()).get('cards', id)) as Row | undefined
    if (row) this.remember(row)
    return row?.itemId ?? null
  }

  async cardOf(itemId: string): Promise<`0x${string}` | null> {
    const hit = this.cards.get(itemId)
    if (hit) return hit as `0x${string}`
    const row = (await (await this.open()).getFromIndex('cards', 'itemId', itemId)) as
      | Row
      | undefined
    if (row) this.remember(row)
    return (row?.cardId as `0x${string}` | undefined) ?? null
  }

  private remember(row: Row): void {
    this.items.set(row.cardId, row.itemId)
    this.cards.set(row.itemId, row.cardId)
  }

  private open(): Promise<IDBPDatabase> {
    this.db ??= openDB(this.dbName, 1, {
      upgrade(db) {
        db.createObjectStore('cards', { keyPath: 'cardId' }).createIndex('itemId', 'itemId')
      },
    })
    return this.db
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
    resolve: async (id) => (await src.resolve(id)) ?? (await c.cards.itemOf(id)),
    cipherFor: async (itemId): Promise<SliceCipher | null> => {
      const own = await src.cipherFor(itemId)
      if (own) return own
      const cardId = await c.cards.cardOf(itemId)
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
