/**
 * FeedService through its RPC handlers: without a chain over cards written into its database
 * (query, search, card, profile, status, and the chain-only methods refusing), `stop()`
 * releasing its databases; with a real anvil, the indexer picking up a posted card and
 * `stop()` ending it.
 */
import 'fake-indexeddb/auto'
import type { Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setupChain, type TestChain } from '../../../contracts/test/setup.ts'
import { chainConfigOf } from '../../../scripts/stack.ts'
import { waitFor } from '../../../scripts/test/waitFor.ts'
import { type Card, encodeCard } from '../../shared/card/card.ts'
import type { FeedCard } from '../../shared/card/feed.ts'
import type { ChainConfig } from '../../shared/config.ts'
import { InvalidInputError } from '../../shared/errors/common.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { postCard } from '../chain/postCard.ts'
import { deriveIdentity, type Identity } from '../crypto/identity.ts'
import { openFeedDb } from './db.ts'
import { applyEvents } from './ingest.ts'
import { FeedService, type FeedServiceComponents } from './service.ts'

const ctx = { signal: new AbortController().signal }
const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex
const OTHER = `0x${'b'.repeat(40)}` as Hex
let n = 0

const card = (kind: Card['kind'], title: string, extra: Partial<Card> = {}): Card => ({
  v: 1,
  kind,
  title,
  tags: ['boats'],
  createdAt: 1_790_000_000,
  access: { free: true },
  ...extra,
})

/** Components with an identity; what publishing would need fails loudly if it is reached. */
function components(me: Identity | null) {
  const events: NodeEvent[] = []
  const touched: string[] = []
  const never = (what: string) => async (): Promise<never> => {
    touched.push(what)
    throw new Error(`${what} should not be reached`)
  }
  const c: FeedServiceComponents = {
    identity: async () => me,
    requireIdentity: async () => {
      if (!me) throw new Error('no identity')
      return me
    },
    onGossip: () => () => {},
    publishGossip: never('publishGossip'),
    emit: (e) => events.push(e),
    store: never('store'),
    seed: never('seed'),
    seedPreview: never('seedPreview'),
    access: {
      creatorCipher: never('creatorCipher'),
      keyFor: never('keyFor'),
      linkCard: never('linkCard'),
    },
  }
  return { c, events, touched }
}

function deleteDb(name: string): Promise<'deleted' | 'blocked'> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name)
    req.onblocked = () => resolve('blocked')
    req.onsuccess = () => resolve('deleted')
    req.onerror = () => reject(req.error)
  })
}

describe('FeedService without a chain', () => {
  let me: Identity
  let mine: Hex
  beforeAll(async () => {
    me = await deriveIdentity(crypto.getRandomValues(new Uint8Array(64)))
    mine = me.address.toLowerCase() as Hex
  })

  async function withCards() {
    const dbName = `feed-service-${n++}`
    const cursorDbName = `${dbName}-cursors`
    const db = await openFeedDb(dbName)
    await applyEvents(db, [
      ...Array.from({ length: 6 }, (_, i) => ({
        type: 'card' as const,
        id: id(i + 1),
        creator: i % 2 ? mine : OTHER,
        card: card(i % 3 ? 'post' : 'image', `${i % 2 ? 'lighthouse' : 'harbour'} ${i}`, {
          createdAt: 1_790_000_000 + i,
        }),
        block: i + 1,
        logIndex: 0,
        seenAt: Date.now(),
      })),
      { type: 'follow', follower: mine, creator: OTHER, following: true, block: 9, logIndex: 0 },
      {
        type: 'card',
        id: id(7),
        creator: OTHER,
        card: card('profile', '', { tags: [], profile: { name: 'Otto', links: [] } }),
        block: 7,
        logIndex: 0,
        seenAt: Date.now(),
      },
    ])
    db.close()
    const { c, events, touched } = components(me)
    const feed = new FeedService(c, { chain: null, dev: true, dbName, cursorDbName })
    return { feed, h: feed.handlers(), events, touched, dbName, cursorDbName }
  }

  it('answers query, search, card, profile and status from its database', async () => {
    const { feed, h } = await withCards()
    await feed.start()

    const all = await h['feed.query']({ lens: 'all', limit: 4 }, ctx)
    expect(all.items.map((c) => c.id)).toEqual([id(6), id(5), id(4), id(3)])
    const rest = await h['feed.query']({ lens: 'all', limit: 4, cursor: all.next ?? '' }, ctx)
    expect(rest.items.map((c) => c.id)).toEqual([id(2), id(1)])
    expect(rest.next).toBeNull()
    // `library` is the identity's own cards, `following` the creators it follows.
    const library = await h['feed.query']({ lens: 'library' }, ctx)
    expect(library.items.map((c) => c.id)).toEqual([id(6), id(4), id(2)])
    const following = await h['feed.query']({ lens: 'following' }, ctx)
    expect(following.items.every((c) => c.creator === OTHER)).toBe(true)
    expect(following.items).toHaveLength(3)
    const photos = await h['feed.query']({ lens: 'photos' }, ctx)
    expect(photos.items.map((c) => c.card.kind)).toEqual(['image', 'image'])

    const found = await h['feed.search']({ q: 'lighthouse' }, ctx)
    expect(found.map((c) => c.id).sort()).toEqual([id(2), id(4), id(6)])
    expect(await h['feed.search']({ q: 'submarine' }, ctx)).toEqual([])

    const one = await h['feed.card']({ id: id(3).toUpperCase().replace('0X', '0x') }, ctx)
    expect(one).toMatchObject({ id: id(3), creator: OTHER, status: 'mined', block: 3 })
    expect(one?.card.title).toBe('harbour 2')
    expect(await h['feed.card']({ id: id(99) }, ctx)).toBeNull()
    // `feed.card` checks the id before it returns a promise; the RPC server catches both ways.
    await expect(
      Promise.resolve().then(() => h['feed.card']({ id: '0x1234' }, ctx)),
    ).rejects.toBeInstanceOf(InvalidInputError)

    expect(await h['feed.profile']({ address: OTHER }, ctx)).toEqual({
      address: OTHER,
      person: { name: 'Otto', links: [], address: OTHER, cardId: id(7), status: 'mined' },
      followers: 1,
      following: 0,
      followedByMe: true,
    })
    expect(await h['feed.profile']({ address: me.address }, ctx)).toMatchObject({
      following: 1,
      followedByMe: false,
    })
    await expect(h['feed.profile']({ address: 'nope' }, ctx)).rejects.toBeInstanceOf(
      InvalidInputError,
    )
    // Names for bylines, in the order asked; the follow lists of the profile page.
    expect(
      (await h['feed.people']({ addresses: [mine, OTHER] }, ctx)).map((p) => p?.name ?? null),
    ).toEqual([null, 'Otto'])
    await expect(h['feed.people']({ addresses: ['0x12'] }, ctx)).rejects.toBeInstanceOf(
      InvalidInputError,
    )
    await expect(
      h['feed.people']({ addresses: Array(201).fill(OTHER) }, ctx),
    ).rejects.toBeInstanceOf(InvalidInputError)
    expect(await h['feed.followList']({ address: OTHER, side: 'followers' }, ctx)).toEqual([mine])
    expect(await h['feed.followList']({ address: mine, side: 'following' }, ctx)).toEqual([OTHER])
    expect(await h['feed.status'](undefined, ctx)).toEqual({
      syncedTo: -1,
      skipped: [],
      error: null,
    })
    expect(await h['feed.account'](undefined, ctx)).toEqual({ address: me.address, balance: '0' })
    await feed.stop()
  })

  it('refuses publish, react and follow without a chain, touching nothing', async () => {
    const { feed, h, touched, events } = await withCards()
    const draft = { kind: 'post' as const, title: 'hello', tags: [], access: { free: true } }
    await expect(h['feed.publish']({ jobId: 'j1', draft } as never, ctx)).rejects.toBeInstanceOf(
      InvalidInputError,
    )
    await expect(h['feed.publish']({ jobId: 'j1', draft } as never, ctx)).rejects.toThrow(
      /no chain/,
    )
    await expect(h['feed.react']({ id: id(1) }, ctx)).rejects.toBeInstanceOf(InvalidInputError)
    await expect(h['feed.follow']({ address: OTHER, follow: true }, ctx)).rejects.toBeInstanceOf(
      InvalidInputError,
    )
    await expect(h['feed.view']({ id: id(1) }, ctx)).rejects.toBeInstanceOf(InvalidInputError)
    expect(touched).toEqual([])
    expect(events).toEqual([])
    // Nothing was written: the feed is as it was.
    expect((await h['feed.query']({ lens: 'all' }, ctx)).items).toHaveLength(6)
    await feed.stop()
  })

  it('tells what it holds about an account: followers, reactions and replies to its cards', async () => {
    const { feed, dbName } = await withCards()
    await feed.start()
    const db = await openFeedDb(dbName)
    await applyEvents(db, [
      { type: 'follow', follower: OTHER, creator: mine, following: true, block: 10, logIndex: 1 },
      { type: 'reaction', cardId: id(2), from: OTHER, kind: 1, block: 11 },
      { type: 'reaction', cardId: id(1), from: mine, kind: 1, block: 11 },
      {
        type: 'card',
        id: id(20),
        creator: OTHER,
        card: card('post', 'Re', { parent: id(4) }),
        block: 12,
        logIndex: 0,
        seenAt: 5,
      },
    ])
    db.close()
    const about = await feed.eventsAbout([mine])
    expect(about.map((e) => e.type).sort()).toEqual(['card', 'follow', 'reaction'])
    expect(about).toContainEqual({
      type: 'follow',
      follower: OTHER,
      creator: mine,
      following: true,
      block: 10,
      logIndex: 1,
    })
    expect(about).toContainEqual({
      type: 'reaction',
      cardId: id(2),
      from: OTHER,
      kind: 1,
      block: 11,
    })
    expect(about.find((e) => e.type === 'card')).toMatchObject({
      id: id(20),
      creator: OTHER,
      block: 12,
    })
    expect(await feed.known(id(4))).toMatchObject({ id: id(4), creator: mine })
    expect(await feed.known(id(99))).toBeNull()
    await feed.stop()
  })

  it('feed.reset empties the index', async () => {
    const { feed, h } = await withCards()
    expect((await h['feed.query']({ lens: 'all' }, ctx)).items).toHaveLength(6)
    await h['feed.reset'](undefined, ctx)
    expect((await h['feed.query']({ lens: 'all' }, ctx)).items).toEqual([])
    expect(await h['feed.profile']({ address: OTHER }, ctx)).toMatchObject({ followers: 0 })
    await feed.stop()
  })

  it('feed.devFill indexes synthetic cards on a development chain, and only there', async () => {
    const { feed, h, events } = await withCards()
    await expect(h['feed.devFill']({ count: 0 }, ctx)).rejects.toBeInstanceOf(InvalidInputError)
    await expect(h['feed.devFill']({ count: 1.5 }, ctx)).rejects.toBeInstanceOf(InvalidInputError)
    expect(await h['feed.devFill']({ count: 70 }, ctx)).toMatchObject({ cards: 70 })
    // Every kind in turn: ten of each, through the same index as real cards.
    const photos = await h['feed.query']({ lens: 'photos', limit: 100 }, ctx)
    expect(photos.items.filter((c) => c.creator !== OTHER && c.card.preview)).toHaveLength(10)
    expect(photos.items.every((c) => c.card.kind === 'image')).toBe(true)
    const all = await h['feed.query']({ lens: 'all', limit: 100 }, ctx)
    expect(all.items).toHaveLength(76)
    expect(events).toEqual([]) // no flood of events for the UI
    await feed.stop()

    const { c } = components(null)
    const prod = new FeedService(c, { chain: null, dev: false, dbName: `p-${n++}` })
    await expect(prod.handlers()['feed.devFill']({ count: 10 }, ctx)).rejects.toThrow(
      /development chains only/,
    )
    await prod.stop()
  })

  it('stop() closes its databases, and a later call opens them again', async () => {
    const { feed, h, dbName, cursorDbName } = await withCards()
    expect((await h['feed.query']({ lens: 'all' }, ctx)).items).toHaveLength(6)
    await feed.stop()
    // An open connection would block the deletion.
    expect(await deleteDb(dbName)).toBe('deleted')
    expect(await deleteDb(cursorDbName)).toBe('deleted')
    expect((await h['feed.query']({ lens: 'all' }, ctx)).items).toEqual([])
    await feed.stop()
    expect(await deleteDb(dbName)).toBe('deleted')
  })
})

describe('FeedService on anvil', () => {
  let chain: TestChain
  let config: ChainConfig
  beforeAll(async () => {
    chain = await setupChain(1)
    const d = chain.deployed
    config = chainConfigOf(d, chain.anvil.rpcUrl)
  }, 60_000)
  afterAll(async () => {
    await chain?.stop()
  })

  /** A started feed service on the test chain, with databases of its own. */
  async function chainFeed(c: FeedServiceComponents, tag: string): Promise<FeedService> {
    const name = `feed-service-${tag}-${n++}`
    const feed = new FeedService(c, {
      chain: config,
      dev: true,
      dbName: name,
      cursorDbName: `${name}-cursors`,
    })
    await feed.start()
    return feed
  }

  it('indexes a posted card and announces it; stop() ends the indexer', async () => {
    const poster = chain.ctx[0]!
    const { c, events } = components(null)
    // The batches the activity service hears, after the feed applied them.
    const heard: string[] = []
    c.onEvents = async (batch) => {
      for (const e of batch) if (e.type === 'card') heard.push(e.id)
    }
    const feed = await chainFeed(c, 'chain')
    const h = feed.handlers()
    const announced = () =>
      events.flatMap((e) => (e.kind === 'feed.cards' ? e.cards.map((x: FeedCard) => x.id) : []))

    const onChain = (title: string) =>
      encodeCard(card('post', title, { createdAt: Math.floor(Date.now() / 1000) }))
    const { cardId } = await postCard(poster, { card: onChain('indexed on anvil') })
    await waitFor('the card to be announced', () => announced().includes(cardId))
    const got = await h['feed.card']({ id: cardId }, ctx)
    expect(got).toMatchObject({
      id: cardId,
      creator: poster.walletClient.account.address.toLowerCase(),
      status: 'mined',
    })
    expect(got?.card.title).toBe('indexed on anvil')
    expect(heard).toContain(cardId)
    const page = await h['feed.query']({ lens: 'all' }, ctx)
    expect(page.items.map((x) => x.id)).toContain(cardId)
    // Not indexed and not on chain either.
    expect(await h['feed.card']({ id: id(12345) }, ctx)).toBeNull()

    await feed.stop()
    const before = events.length
    const late = await postCard(poster, { card: onChain('after stop') })
    await new Promise((r) => setTimeout(r, 2_500)) // > two dev poll intervals
    expect(events.length).toBe(before)
    expect(announced()).not.toContain(late.cardId)
  })

  it('a reorg rolls the index back and tells onReorg (the activity service withdraws its news)', async () => {
    const poster = chain.ctx[0]!
    const { c, events } = components(null)
    const reorgs: number[] = []
    c.onReorg = async (from) => {
      reorgs.push(from)
    }
    const feed = await chainFeed(c, 'reorg')
    const h = feed.handlers()
    const snapshot = await chain.test.snapshot()
    const orphan = await postCard(poster, {
      card: encodeCard(card('post', 'orphaned', { createdAt: Math.floor(Date.now() / 1000) })),
    })
    // Announced by the indexer (feed.card alone reads an unindexed card from the chain).
    await waitFor('the card to be indexed', () =>
      events.some((e) => e.kind === 'feed.cards' && e.cards.some((x) => x.id === orphan.cardId)),
    )
    // Another branch replaces the card's block.
    await chain.test.revert({ id: snapshot })
    await chain.test.mine({ blocks: 3 })
    await waitFor('the reorg', () => reorgs.length > 0)
    expect(reorgs[0]).toBeLessThanOrEqual(Number(orphan.receipt.blockNumber))
    const page = await h['feed.query']({ lens: 'all' }, ctx)
    expect(page.items.map((x) => x.id)).not.toContain(orphan.cardId)
    await feed.stop()
  })
})
