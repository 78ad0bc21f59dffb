import 'fake-indexeddb/auto'
import { openDB } from 'idb'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../shared/errors/common.ts'
import { openKeysDb } from '../account/db.ts'
import type { AccountContext } from '../account/service.ts'
import { decryptSlice, deriveContentKey, encryptSlice, sliceCipher } from '../crypto/content.ts'
import type { Identity } from '../crypto/identity.ts'
import { MemoryBackend } from '../store/memoryBackend.ts'
import { openMeta } from '../store/meta.ts'
import { createSliceStore } from '../store/sliceStore.ts'
import type { SliceStore } from '../store/types.ts'
import { accessService } from './service.ts'

const cardId = `0x${'ab'.repeat(32)}` as const
const salt = new Uint8Array(16).fill(7)
const bought = new Uint8Array(32).fill(9)
const free = new Uint8Array(32).fill(5)
const master = new Uint8Array(32).fill(3)
const me = `0x${'11'.repeat(20)}` as const
const someoneElse = `0x${'22'.repeat(20)}` as const

let n = 0
async function setup(o: { creator?: string; itemId?: string } = {}) {
  const name = `access-${++n}`
  const store: SliceStore = createSliceStore({
    files: new MemoryBackend(),
    meta: await openMeta(`${name}-store`),
  })
  await store.createItem({
    id: o.itemId ?? 'ih',
    size: 100,
    sliceSize: 65_536,
    contentSalt: salt,
    contentRoot: null,
  })
  const asked: string[] = []
  const ctx = {
    chain: {
      account: { address: me },
      contracts: { cardRegistry: someoneElse },
      publicClient: {
        readContract: async () => {
          asked.push('creatorOf')
          return o.creator ?? someoneElse
        },
      },
    },
    db: await openKeysDb(me, `${name}-keys`),
  } as unknown as AccountContext
  // One object, as the identity service hands out (the cipher cache is kept per identity).
  const id = { contentMaster: master } as Identity
  const access = accessService({ dbName: `${name}-access` })({
    identity: { identity: async () => id },
    store: async () => store,
    account: { context: async () => ctx },
  })
  return { access, store, ctx, asked, name }
}

const opens = async (cipher: Awaited<ReturnType<typeof sliceCipher>> | null, key: Uint8Array) => {
  const ct = await encryptSlice(await sliceCipher(key, salt), 0, true, new Uint8Array([1, 2, 3]))
  return cipher ? Array.from(await decryptSlice(cipher, 0, true, ct)) : null
}

describe('the access service', () => {
  it('resolves a card id to the item recorded for it, case-insensitively', async () => {
    const { access } = await setup()
    expect(await access.itemOf(cardId)).toBeNull()
    await access.link({
      cardId: cardId.toUpperCase().replace('0X', '0x') as `0x${string}`,
      itemId: 'ih',
    })
    expect(await access.itemOf(cardId)).toBe('ih')
    expect(await access.map.cardOf('ih')).toBe(cardId)
    await expect(access.link({ cardId: '0x12', itemId: 'x' })).rejects.toBeInstanceOf(
      InvalidInputError,
    )
  })

  it('remembers the map across a restart (a new service on the same database)', async () => {
    const { access, name, store, ctx } = await setup()
    await access.link({ cardId, itemId: 'ih', origin: 'peer' })
    await access.stop()
    const again = accessService({ dbName: `${name}-access` })({
      identity: { identity: async () => null },
      store: async () => store,
      account: { context: async () => ctx },
    })
    expect(await again.itemOf(cardId)).toBe('ih')
    expect(await again.map.cardOf('ih')).toBe(cardId)
    expect(await again.map.originOf('ih')).toBe('peer')
    expect(await again.itemOf('not a card id')).toBeNull()
  })

  it('uses a bought key from the vault for a paid card; once the key is sold on, no key', async () => {
    const { access, asked } = await setup()
    await access.link({ cardId, itemId: 'ih', origin: 'peer' })
    // Through access, as the owner follower writes it: each write empties the cipher cache.
    const vault = await access.vault()
    if (!vault) throw new Error('no vault')
    await vault.put(cardId, 7n, bought)
    expect(await opens(await access.cipherFor(cardId), bought)).toEqual([1, 2, 3])
    expect(await opens(await access.cipherFor('ih'), bought)).toEqual([1, 2, 3])
    expect(await access.accessOf(cardId)).toEqual({ access: 'owner', tokenId: '7' })
    expect(asked).toEqual([]) // a bought key needs no chain read
    expect(await access.cipherFor(cardId)).toBe(await access.cipherFor(cardId)) // cached
    await vault.deleteToken(7n) // the token left: the vault dropped the key
    expect(await access.cipherFor(cardId)).toBeNull()
    expect(await access.accessOf(cardId)).toEqual({ access: 'none' })
    expect(await access.cipherFor('other')).toBeNull()
  })

  it('prefers a free card’s inline key, without asking the vault or the chain', async () => {
    const { access, asked } = await setup()
    await access.link({ itemId: 'ih', origin: 'peer', freeKey: free })
    await access.link({ cardId, itemId: 'ih' })
    expect(await opens(await access.cipherFor(cardId), free)).toEqual([1, 2, 3])
    const raw = await access.keyFor('ih')
    expect(raw).toEqual(free)
    expect(asked).toEqual([])
  })

  it('derives the creator’s key for an item published here, and for a card it posted', async () => {
    const own = await setup()
    const derived = deriveContentKey(master, salt)
    expect(await opens(await own.access.cipherFor('ih'), derived)).toEqual([1, 2, 3])
    expect(own.asked).toEqual([])

    // A peer's copy of a card: the creator's key only when creatorOf is this account.
    const mine = await setup({ creator: me })
    await mine.access.link({ cardId, itemId: 'ih', origin: 'peer' })
    expect(await opens(await mine.access.cipherFor(cardId), derived)).toEqual([1, 2, 3])
    expect(await mine.access.accessOf(cardId)).toEqual({ access: 'creator' })
    const theirs = await setup({ creator: someoneElse })
    await theirs.access.link({ cardId, itemId: 'ih', origin: 'peer' })
    expect(await theirs.access.cipherFor(cardId)).toBeNull()
    expect(theirs.asked).toEqual(['creatorOf'])
  })

  it('imports what an older profile kept in the swarm’s tables, once', async () => {
    const cardItems = await openDB('hashcard-card-items', 1, {
      upgrade: (d) =>
        d.createObjectStore('cards', { keyPath: 'cardId' }).createIndex('itemId', 'itemId'),
    })
    await cardItems.put('cards', { cardId, itemId: 'old-ih' })
    cardItems.close()
    const records = await openDB('hashcard-swarm', 1, {
      upgrade: (d) => d.createObjectStore('torrents', { keyPath: 'itemId' }),
    })
    await records.put('torrents', { itemId: 'old-ih', origin: 'peer', key: free })
    records.close()
    const { access } = await setup({ itemId: 'old-ih' })
    await access.start()
    expect(await access.itemOf(cardId)).toBe('old-ih')
    expect(await opens(await access.cipherFor(cardId), free)).toEqual([1, 2, 3])
    await access.link({ cardId, itemId: 'new-ih' })
    await access.start() // a second start reads the old tables no more
    expect(await access.map.itemOf(cardId)).toBe('new-ih')
  })
})
