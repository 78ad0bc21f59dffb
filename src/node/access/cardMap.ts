/**
 * The one card ↔ item map (DESIGN §1 `access/`): which stored item holds a card's ciphertext,
 * the card's content salt when the item is not here yet, where an item came from (`own`:
 * published here, its key derives from this identity; `peer`: fetched from the swarm) and the
 * content key a free card carries inline. IndexedDB `hashcard-access`, with a memory cache.
 *
 * It replaces three maps that each knew part of this (the swarm's card items, the keys
 * service's card registrations and the swarm records' free keys); {@link importLegacy} copies
 * what an older profile kept there, once per source.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { type IDBPDatabase, openDB } from 'idb'
import { InvalidInputError } from '../../shared/errors/common.ts'
import { checkBytes } from '../crypto/bytes.ts'
import { SALT_BYTES } from '../crypto/content.ts'

export const ACCESS_DB = 'hashcard-access'
const CARDS = 'cards'
const ITEMS = 'items'
const IMPORTED = 'imported'

type CardRow = { cardId: `0x${string}`; itemId?: string; contentSalt?: string }
type ItemRow = { itemId: string; origin?: 'own' | 'peer'; freeKey?: Uint8Array }

/** What a caller may tell the map; every field but one id is optional. */
export type Link = {
  cardId?: `0x${string}` | undefined
  itemId?: string | undefined
  /** 16 bytes, as hex (with or without 0x) or bytes. */
  contentSalt?: string | Uint8Array | undefined
  origin?: 'own' | 'peer' | undefined
  /** A free card's content key (32 bytes). */
  freeKey?: Uint8Array | undefined
}

const CARD_ID = /^0x[0-9a-f]{64}$/

/** True for a card id (0x and 64 hex digits, any case). */
export function isCardId(id: string): id is `0x${string}` {
  return CARD_ID.test(id.toLowerCase())
}

/** Checks and lower-cases a card id. Throws InvalidInputError naming the value. */
export function checkCardId(cardId: unknown): `0x${string}` {
  const id = typeof cardId === 'string' ? cardId.toLowerCase() : ''
  if (!CARD_ID.test(id))
    throw new InvalidInputError('cardId: expected 0x and 64 hex digits.', {
      details: `got ${String(cardId).slice(0, 80)}`,
    })
  return id as `0x${string}`
}

function saltHex(salt: string | Uint8Array): string {
  const bytes = typeof salt === 'string' ? hexToBytes(salt.replace(/^0x/i, '')) : salt
  if (bytes.length !== SALT_BYTES)
    throw new InvalidInputError(`contentSalt: expected ${SALT_BYTES} bytes.`, {
      details: `got ${bytes.length}`,
    })
  return bytesToHex(bytes)
}

export type CardMap = ReturnType<typeof openCardMap>

/**
 * Opens the map.
 * @example const map = openCardMap(); await map.link({ cardId, itemId, origin: 'peer' })
 */
export function openCardMap(name = ACCESS_DB) {
  const db: Promise<IDBPDatabase> = openDB(name, 1, {
    upgrade(d) {
      d.createObjectStore(CARDS, { keyPath: 'cardId' }).createIndex('itemId', 'itemId')
      d.createObjectStore(ITEMS, { keyPath: 'itemId' })
      d.createObjectStore(IMPORTED)
    },
  })
  // Memory copies of what the database holds, misses included: one node per profile writes
  // this map, all through `link`, so a row absent once stays absent until `link` adds it. The
  // Service Worker's every `open` asks; without the misses each paid a few IndexedDB reads.
  const cards = new Map<string, CardRow | null>()
  const items = new Map<string, ItemRow | null>()
  /** item id → the card whose content it holds (null: none). */
  const cardOfItem = new Map<string, `0x${string}` | null>()

  const card = async (cardId: string): Promise<CardRow | undefined> => {
    const id = cardId.toLowerCase()
    if (!CARD_ID.test(id)) return undefined
    const hit = cards.get(id)
    if (hit !== undefined) return hit ?? undefined
    const row = (await (await db).get(CARDS, id)) as CardRow | undefined
    cards.set(id, row ?? null)
    return row
  }
  const item = async (itemId: string): Promise<ItemRow | undefined> => {
    const hit = items.get(itemId)
    if (hit !== undefined) return hit ?? undefined
    const row = (await (await db).get(ITEMS, itemId)) as ItemRow | undefined
    items.set(itemId, row ?? null)
    return row
  }

  const map = {
    /** Records what is known of a card and its item; existing facts are kept unless replaced. */
    async link(l: Link): Promise<void> {
      if (l.cardId !== undefined) {
        const cardId = checkCardId(l.cardId)
        const old = await card(cardId)
        const row: CardRow = { ...old, cardId }
        if (l.itemId !== undefined) row.itemId = l.itemId
        if (l.contentSalt !== undefined) row.contentSalt = saltHex(l.contentSalt)
        if (old?.itemId !== row.itemId || old?.contentSalt !== row.contentSalt) {
          await (await db).put(CARDS, row)
          cards.set(cardId, row)
          if (old?.itemId !== undefined) cardOfItem.delete(old.itemId)
          if (row.itemId !== undefined) cardOfItem.set(row.itemId, cardId)
        }
      }
      if (l.itemId !== undefined && (l.origin !== undefined || l.freeKey !== undefined)) {
        const old = await item(l.itemId)
        const row: ItemRow = { ...old, itemId: l.itemId }
        if (l.origin !== undefined) row.origin = l.origin
        if (l.freeKey !== undefined) row.freeKey = checkBytes('freeKey', l.freeKey, 32).slice()
        await (await db).put(ITEMS, row)
        items.set(l.itemId, row)
      }
    },
    async itemOf(cardId: string): Promise<string | null> {
      return (await card(cardId))?.itemId ?? null
    },
    async cardOf(itemId: string): Promise<`0x${string}` | null> {
      const hit = cardOfItem.get(itemId)
      if (hit !== undefined) return hit
      const row = (await (await db).getFromIndex(CARDS, 'itemId', itemId)) as CardRow | undefined
      if (row) cards.set(row.cardId, row)
      cardOfItem.set(itemId, row?.cardId ?? null)
      return row?.cardId ?? null
    },
    /**
     * The card of an item from memory, synchronously: null for none, undefined while not yet
     * looked up (a lookup then starts, so a later call knows). For callers that cannot wait,
     * such as eviction's value of each item; the swarm looks up every item it runs.
     */
    peekCardOf(itemId: string): `0x${string}` | null | undefined {
      const hit = cardOfItem.get(itemId)
      if (hit === undefined) void map.cardOf(itemId).catch(() => {})
      return hit
    },
    /** The salt a card names, when it was told (an item's own salt is in the store). */
    async saltOf(cardId: string): Promise<Uint8Array | null> {
      const s = (await card(cardId))?.contentSalt
      return s ? hexToBytes(s) : null
    },
    async originOf(itemId: string): Promise<'own' | 'peer' | null> {
      return (await item(itemId))?.origin ?? null
    },
    /** A copy of the free key of an item (the caller wipes it), or null. */
    async freeKeyOf(itemId: string): Promise<Uint8Array | null> {
      return (await item(itemId))?.freeKey?.slice() ?? null
    },
    /**
     * Copies rows an older profile kept elsewhere, once per `source` name: `rows()` is read
     * only the first time.
     */
    async importLegacy(source: string, rows: () => Promise<Link[]>): Promise<number> {
      const d = await db
      if (await d.get(IMPORTED, source)) return 0
      const all = await rows()
      for (const l of all) await map.link(l).catch(() => {}) // a malformed old row is skipped
      await d.put(IMPORTED, Date.now(), source)
      return all.length
    },
    async close(): Promise<void> {
      ;(await db).close()
    },
  }
  return map
}
