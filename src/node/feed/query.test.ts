import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { Card, Hex } from '../../shared/card/card.ts'
import { openFeedDb } from './db.ts'
import { applyEvents, rollbackFrom } from './ingest.ts'
import { queryFeed, searchCards } from './query.ts'

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex
const A = `0x${'a'.repeat(40)}` as Hex
const B = `0x${'b'.repeat(40)}` as Hex
const card = (kind: Card['kind'], title: string, extra: Partial<Card> = {}): Card => ({
  v: 1,
  kind,
  title,
  tags: ['cats'],
  createdAt: 1_790_000_000,
  access: { free: true },
  ...extra,
})
const ctx = { me: A, following: async () => [B] }

describe('feed index', () => {
  it('pages lenses, filters, counts comments and reactions, searches and rolls back', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    const events = Array.from({ length: 25 }, (_, i) => ({
      type: 'card' as const,
      id: id(i + 1),
      creator: i % 2 ? A : B,
      card: card(i % 3 ? 'post' : 'image', `title ${i} ${i % 2 ? 'sunset' : 'harbour'}`, {
        createdAt: 1_790_000_000 + i,
      }),
      block: i + 1,
      logIndex: 0,
      seenAt: Date.now(),
    }))
    await applyEvents(db, events)
    const p1 = await queryFeed(db, { lens: 'posts', limit: 10 }, ctx)
    expect(p1.items).toHaveLength(10)
    expect(p1.items.every((c) => c.card.kind === 'post')).toBe(true)
    const p2 = await queryFeed(db, { lens: 'posts', limit: 10, cursor: p1.next ?? '' }, ctx)
    expect(p2.items.map((c) => c.id)).not.toContain(p1.items[0]?.id)
    expect(p1.items[0]!.postedAt).toBeGreaterThanOrEqual(p1.items[1]!.postedAt)
    expect((await queryFeed(db, { lens: 'photos', access: 'paid' }, ctx)).items).toHaveLength(0)
    expect(
      (await queryFeed(db, { lens: 'following' }, ctx)).items.every((c) => c.creator === B),
    ).toBe(true)
    expect(
      (await queryFeed(db, { lens: 'library' }, ctx)).items.every((c) => c.creator === A),
    ).toBe(true)

    // A comment and two reactions (one repeated: counted once).
    const changed = await applyEvents(db, [
      {
        type: 'card',
        id: id(99),
        creator: A,
        card: card('post', 'reply', { parent: id(1) }),
        block: 30,
        seenAt: Date.now(),
      },
      { type: 'reaction', cardId: id(1), from: A, kind: 1, block: 31 },
      { type: 'reaction', cardId: id(1), from: A, kind: 1, block: 31 },
      { type: 'reaction', cardId: id(1), from: B, kind: 1, block: 32 },
    ])
    const first = changed.find((c) => c.id === id(1))!
    expect([first.comments, first.reactions]).toEqual([1, 2])
    const top = await queryFeed(db, { lens: 'all', sort: 'top', limit: 1 }, ctx)
    expect(top.items[0]?.id).toBe(id(1))
    expect(
      (await queryFeed(db, { lens: 'all', parent: id(1) }, ctx)).items.map((c) => c.id),
    ).toEqual([id(99)])

    expect((await searchCards(db, 'sunset')).length).toBe(12)
    expect((await searchCards(db, 'title 3 suns')).map((c) => c.card.title)).toContain(
      'title 3 sunset',
    )
    expect(await searchCards(db, 'nothing-like-this')).toEqual([])

    await rollbackFrom(db, 31)
    expect((await db.get('cards', id(1)))?.reactions).toBe(0)
    db.close()
  })

  it('merges the buckets of Following in order and pages through them without gaps', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    const creators = Array.from({ length: 6 }, (_, i) => `0x${String(i + 1).repeat(40)}` as Hex)
    await applyEvents(
      db,
      Array.from({ length: 60 }, (_, i) => ({
        type: 'card' as const,
        id: id(i + 1),
        creator: creators[i % 6] as Hex,
        card: card(i % 2 ? 'post' : 'image', `card ${i}`, { createdAt: 1_790_000_000 + i }),
        block: i + 1,
        logIndex: 0,
        seenAt: Date.now(),
      })),
    )
    const followed = creators.slice(0, 4)
    const fctx = { me: A, following: async () => followed }
    const seen: Hex[] = []
    let cursor: string | undefined
    for (let page = 0; page < 10; page++) {
      const r = await queryFeed(db, { lens: 'following', limit: 7, cursor }, fctx)
      seen.push(...r.items.map((c) => c.id))
      if (!r.next) break
      cursor = r.next
    }
    const expected = Array.from({ length: 60 }, (_, i) => i)
      .filter((i) => i % 6 < 4)
      .reverse()
      .map((i) => id(i + 1))
    expect(seen).toEqual(expected)
    const top = await queryFeed(db, { lens: 'following', sort: 'top', limit: 3 }, fctx)
    expect(top.items.map((c) => c.id)).toEqual(expected.slice(0, 3))
    db.close()
  })
})
