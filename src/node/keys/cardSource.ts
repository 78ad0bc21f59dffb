/**
 * Where the keys service learns a card's `contentSalt` (DESIGN §2 `content.contentSalt`): the
 * key agent needs it to derive the content key it seals for a buyer, and the owner's node to
 * decrypt. The KeyMarket names a listing by `cardId` only.
 *
 * Contract for the publish flow (issue 6): after posting a card whose content was stored with
 * `store.publishFile`, call `keys.registerCard({ cardId, itemId })` (before or right after
 * `keys.list`); a buyer's node that learns a card (feed) calls
 * `keys.registerCard({ cardId, contentSalt })`. Registrations persist in IndexedDB. A
 * feed-backed source can replace this one: anything implementing {@link CardSource} works.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { IDBPDatabase } from 'idb'
import { InvalidInputError } from '../../shared/errors/common.ts'
import { SALT_BYTES } from '../crypto/content.ts'
import type { SliceStore } from '../store/sliceStore.ts'
import { CARDS_STORE } from './db.ts'

/** Looks up the content salt of a card. */
export interface CardSource {
  /** The card's 16-byte content salt, or null when this node does not know the card. */
  contentSaltOf(cardId: `0x${string}`): Promise<Uint8Array | null>
  /** The local store item holding the card's ciphertext, if known. */
  itemOf(cardId: `0x${string}`): Promise<string | null>
}

/** A registration: a local item (its salt is read from the store) or a salt from a card. */
export type CardRegistration =
  | { cardId: `0x${string}`; itemId: string }
  | { cardId: `0x${string}`; contentSalt: string; itemId?: string }

type CardRecord = { cardId: string; itemId?: string; contentSalt?: string }

/** A {@link CardSource} that can also be told about cards. */
export type RegistryCardSource = CardSource & {
  register(reg: CardRegistration): Promise<void>
}

const cardIdRe = /^0x[0-9a-f]{64}$/

/** Checks and lower-cases a card id. Throws InvalidInputError naming the value. */
export function checkCardId(cardId: unknown): `0x${string}` {
  const id = typeof cardId === 'string' ? cardId.toLowerCase() : ''
  if (!cardIdRe.test(id))
    throw new InvalidInputError('cardId: expected 0x and 64 hex digits.', {
      details: `got ${String(cardId).slice(0, 80)}`,
    })
  return id as `0x${string}`
}

/**
 * A card source over registrations in the keys database and the content store's items.
 * @example const cards = createStoreCardSource({ db, store: defaultStore })
 */
export function createStoreCardSource(c: {
  db: IDBPDatabase
  store: () => Promise<SliceStore>
}): RegistryCardSource {
  const record = async (cardId: string) =>
    (await c.db.get(CARDS_STORE, checkCardId(cardId))) as CardRecord | undefined
  return {
    async register(reg) {
      const cardId = checkCardId(reg.cardId)
      const rec: CardRecord = { cardId }
      if ('contentSalt' in reg && reg.contentSalt !== undefined) {
        const salt = hexToBytes(reg.contentSalt.replace(/^0x/, ''))
        if (salt.length !== SALT_BYTES)
          throw new InvalidInputError(`contentSalt: expected ${SALT_BYTES} bytes.`)
        rec.contentSalt = bytesToHex(salt)
      }
      if (reg.itemId !== undefined) {
        const item = await (await c.store()).item(reg.itemId)
        if (!item && !rec.contentSalt)
          throw new InvalidInputError(`itemId: no stored item ${reg.itemId}.`)
        rec.itemId = reg.itemId
      }
      await c.db.put(CARDS_STORE, rec)
    },
    async contentSaltOf(cardId) {
      const rec = await record(cardId)
      if (!rec) return null
      if (rec.contentSalt) return hexToBytes(rec.contentSalt)
      if (!rec.itemId) return null
      const item = await (await c.store()).item(rec.itemId)
      return item ? item.contentSalt.slice() : null
    },
    async itemOf(cardId) {
      return (await record(cardId))?.itemId ?? null
    },
  }
}
