import 'fake-indexeddb/auto'
import { openDB } from 'idb'
import { describe, expect, it } from 'vitest'
import type { Card, Hex } from '../../shared/card/card.ts'
import { openFeedDb } from './db.ts'
import { APPLY_CHUNK, applyEvents, type FeedEvent, rollbackFrom } from './ingest.ts'
import { queryFeed, searchCards } from './query.ts'

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex
const acct = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Hex
const card = (title: string, extra: Partial<Card> = {}): Card => ({
  v: 1,
  kind: 'post',
  title,
  tags: [],
  createdAt: 1_790_000_000,
  access: { free: true },
  ...extra,
})
const posted = (n: number, extra: Partial<FeedEvent & { type: 'card' }> = {}): FeedEvent => ({
  type: 'card',
  id: id(n),
  creator: acct(1),
  card: card(`card ${n}`, { createdAt: 1_790_000_000 + n }),
  block: n,
  logIndex: 0,
  seenAt: Date.now(),
  ...extra,
})
const ctx = { me: acct(1), following: async () => [] }

describe('applyEvents (batched)', () => {
  it('applies a batch in order in memory and writes each changed card once, with final counts', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    const changed = await applyEvents(db, [
      posted(1),
      { type: 'reaction', cardId: id(1), from: acct(2), kind: 1, block: 1 },
      { type: 'reaction', cardId: id(1), from: acct(2), kind: 1, block: 1 },
      { type: 'reaction', cardId: id(1), from: acct(3), kind: 1, block: 2 },
      posted(2, { card: card('reply', { parent: id(1) }) }),
      { type: 'view', cardId: id(1), viewer: acct(4), at: 1 },
      { type: 'view', cardId: id(1), viewer: acct(4), at: 2 },
    ])
    expect(changed.map((c) => c.id).sort()).toEqual([id(1), id(2)])
    const first = changed.find((c) => c.id === id(1))
    expect([first?.reactions, first?.comments, first?.views]).toEqual([2, 1, 1])
    expect(await db.count('reactions')).toBe(2)
    // The same batch again (log sync delivers at least once): nothing changes.
    expect(
      await applyEvents(db, [
        posted(1),
        { type: 'reaction', cardId: id(1), from: acct(2), kind: 1, block: 1 },
      ]),
    ).toEqual([])
    expect((await db.get('cards', id(1)))?.reactions).toBe(2)
    // The top index carries the final count: card 1 outranks the newer card 3.
    await applyEvents(db, [posted(3)])
    const top = await queryFeed(db, { lens: 'all', sort: 'top', limit: 1 }, ctx)
    expect(top.items[0]?.id).toBe(id(1))
    db.close()
  })

  it('counts a key purchase as a verified view, once per account, and drops it on a reorg', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    const bought = (viewer: number, block: number): FeedEvent => ({
      type: 'view',
      cardId: id(1),
      viewer: acct(viewer),
      at: 5,
      verified: true,
      block,
    })
    const seen = (viewer: number): FeedEvent => ({
      type: 'view',
      cardId: id(1),
      viewer: acct(viewer),
      at: 4,
    })
    // 2 views then buys (one batch); 3 buys, then its receipt arrives; 4 only views.
    await applyEvents(db, [posted(1), seen(2), bought(2, 5), bought(3, 6)])
    await applyEvents(db, [seen(3), seen(4), bought(3, 6)])
    const c = await db.get('cards', id(1))
    expect([c?.views, c?.verifiedViews]).toEqual([3, 2])
    expect(await db.get('views', [id(1), acct(2)])).toMatchObject({ verified: 1, block: 5 })
    expect((await db.get('views', [id(1), acct(4)]))?.verified).toBeUndefined()
    await rollbackFrom(db, 6)
    const after = await db.get('cards', id(1))
    expect([after?.views, after?.verifiedViews]).toEqual([2, 1])
    expect(await db.get('views', [id(1), acct(3)])).toBeUndefined()
    db.close()
  })

  it('keeps engagement that arrives before its card and hands it over when the card comes', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    await applyEvents(db, [
      { type: 'reaction', cardId: id(7), from: acct(2), kind: 1, block: 3 },
      { type: 'view', cardId: id(7), viewer: acct(2), at: 1 },
      posted(8, { card: card('early reply', { parent: id(7) }), block: undefined }),
    ])
    expect(await db.get('orphans', id(7))).toMatchObject({ comments: 1, reactions: 1, views: 1 })
    const [c] = await applyEvents(db, [posted(7)])
    expect([c?.comments, c?.reactions, c?.views]).toEqual([1, 1, 1])
    expect(await db.count('orphans')).toBe(0)
    db.close()
  })

  it('confirms a gossiped card with the chain creator and applies the newest follow', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    await applyEvents(db, [posted(5, { block: undefined, creator: acct(9) })])
    expect((await db.get('cards', id(5)))?.status).toBe('pending')
    const follow = (following: boolean, block: number, logIndex: number): FeedEvent => ({
      type: 'follow',
      follower: acct(2),
      creator: acct(1),
      following,
      block,
      logIndex,
    })
    await applyEvents(db, [posted(5), follow(true, 4, 0), follow(false, 4, 1), follow(true, 3, 9)])
    const row = await db.get('cards', id(5))
    expect([row?.status, row?.creator, row?.block]).toEqual(['mined', acct(1), 5])
    expect((await db.get('follows', [acct(2), acct(1)]))?.following).toBe(0)
    db.close()
  })

  it('splits a large batch into chunks and rolls back a reorg into orphan rows', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    const n = APPLY_CHUNK + 10
    const events = Array.from({ length: n }, (_, i) => posted(i + 1))
    events.push(posted(n + 1, { card: card('pending reply', { parent: id(n) }), block: undefined }))
    expect(await applyEvents(db, events)).toHaveLength(n + 1)
    expect(await db.count('cards')).toBe(n + 1)
    expect((await db.get('cards', id(n)))?.comments).toBe(1)
    await rollbackFrom(db, n)
    expect(await db.get('cards', id(n))).toBeUndefined()
    expect(await db.get('orphans', id(n))).toMatchObject({ comments: 1 })
    await applyEvents(db, [posted(n)])
    expect((await db.get('cards', id(n)))?.comments).toBe(1)
    const ac = new AbortController()
    ac.abort()
    await expect(applyEvents(db, [posted(1)], { signal: ac.signal })).rejects.toThrow(/cancelled/)
    db.close()
  })

  it('upgrades a version 1 database: rows get time-ordered token keys and stay searchable', async () => {
    const name = `t-${Math.random()}`
    const v1 = await openDB(name, 1, {
      upgrade(db) {
        const cards = db.createObjectStore('cards', { keyPath: 'id' })
        for (const k of ['new', 'top', 'hot', 'tokens'])
          cards.createIndex(k, k === 'tokens' ? 'tokens' : `k${k[0]?.toUpperCase()}${k.slice(1)}`, {
            multiEntry: true,
          })
        cards.createIndex('block', 'block')
        db.createObjectStore('reactions', { keyPath: ['cardId', 'from', 'kind'] }).createIndex(
          'block',
          'block',
        )
        const follows = db.createObjectStore('follows', { keyPath: ['follower', 'creator'] })
        follows.createIndex('creator', ['creator', 'following'])
        follows.createIndex('follower', ['follower', 'following'])
        follows.createIndex('block', 'block')
        db.createObjectStore('views', { keyPath: ['cardId', 'viewer'] })
        db.createObjectStore('meta')
      },
    })
    await v1.put('cards', {
      id: id(1),
      creator: acct(1),
      card: card('old harbour'),
      status: 'mined',
      block: 1,
      postedAt: 1_790_000_000_000,
      reactions: 0,
      comments: 0,
      views: 0,
      kNew: [],
      kTop: [],
      kHot: [],
      tokens: ['old', 'harbour'],
    })
    v1.close()
    const db = await openFeedDb(name)
    expect((await searchCards(db, 'harbour')).map((c) => c.id)).toEqual([id(1)])
    expect((await queryFeed(db, { lens: 'all' }, ctx)).items).toHaveLength(1)
    expect(await db.count('orphans')).toBe(0)
    db.close()
  })
})
