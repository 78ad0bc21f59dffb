import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { ContentSource } from '../content/portServer.ts'
import { decryptSlice, encryptSlice, sliceCipher } from '../crypto/content.ts'
import type { ItemMeta } from '../store/meta.ts'
import type { SliceStore } from '../store/sliceStore.ts'
import { CardItems, withCards } from './cards.ts'

const cardId = `0x${'ab'.repeat(32)}` as const
const salt = new Uint8Array(16).fill(7)
const key = new Uint8Array(32).fill(9)

function source(own: boolean): ContentSource {
  const store = {
    item: async (id: string) => (id === 'ih' ? ({ contentSalt: salt } as ItemMeta) : null),
  }
  return {
    store: async () => store as unknown as SliceStore,
    resolve: async (id) => (id === 'ih' ? 'ih' : null),
    cipherFor: async () => (own ? sliceCipher(new Uint8Array(32).fill(1), salt) : null),
    slice: async () => {},
    setPosition: () => {},
  }
}

describe('withCards', () => {
  it('resolves a card id to the item recorded for it, case-insensitively', async () => {
    const cards = new CardItems('cards-1')
    const src = withCards(source(false), { cards, contentKey: async () => null })
    expect(await src.resolve(cardId)).toBeNull()
    await cards.set(cardId.toUpperCase().replace('0X', '0x'), 'ih')
    expect(await src.resolve(cardId)).toBe('ih')
    expect(await cards.cardOf('ih')).toBe(cardId)
    await expect(cards.set('0x12', 'x')).rejects.toThrow(RangeError)
  })

  it('remembers the map across a restart (a new map on the same database)', async () => {
    await new CardItems('cards-2').set(cardId, 'ih')
    const restarted = new CardItems('cards-2')
    expect(await restarted.cardOf('ih')).toBe(cardId)
    const again = new CardItems('cards-2')
    expect(
      await withCards(source(false), { cards: again, contentKey: async () => null }).resolve(
        cardId,
      ),
    ).toBe('ih')
    expect(await again.itemOf('not a card id')).toBeNull()
  })

  it('asks the keys service for a paid card and uses its key; no key → null', async () => {
    const cards = new CardItems('cards-3')
    await cards.set(cardId, 'ih')
    let held: Uint8Array | null = key.slice()
    const asked: string[] = []
    const src = withCards(source(false), {
      cards,
      contentKey: async (id) => {
        asked.push(id)
        return held ? held.slice() : null
      },
    })
    const c = await src.cipherFor('ih')
    expect(c).not.toBeNull()
    const ct = await encryptSlice(await sliceCipher(key, salt), 0, true, new Uint8Array([1, 2, 3]))
    expect(Array.from(await decryptSlice(c!, 0, true, ct))).toEqual([1, 2, 3])
    held = null // the key was sold on: the vault dropped it
    expect(await src.cipherFor('ih')).toBeNull()
    expect(asked).toEqual([cardId, cardId])
    expect(await src.cipherFor('other')).toBeNull()
  })

  it("prefers the swarm's own key (free or creator's) without asking the keys service", async () => {
    const cards = new CardItems('cards-4')
    await cards.set(cardId, 'ih')
    const src = withCards(source(true), {
      cards,
      contentKey: async () => {
        throw new Error('not asked')
      },
    })
    expect(await src.cipherFor('ih')).not.toBeNull()
  })
})
