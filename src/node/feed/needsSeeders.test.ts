/**
 * The "needs seeders" lens and card health through FeedService's handlers, over cards written
 * into its database (fake-indexeddb) and a health function standing in for the availability
 * map: the lens keeps content with fewer than FEW_SEEDERS seeders, fewest first, pages by
 * position and filters like other lenses; every answer carries each content card's health.
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { Card, Hex } from '../../shared/card/card.ts'
import { FEW_SEEDERS } from '../../shared/card/feed.ts'
import type { ItemHealthWire } from '../../shared/protocol/methods/availability.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { openFeedDb } from './db.ts'
import { applyEvents } from './ingest.ts'
import { FeedService } from './service.ts'

const ctx = { signal: new AbortController().signal }
const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex
const ih = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Hex
const CREATOR = `0x${'c'.repeat(40)}` as Hex
let dbs = 0

/** Card n: content (infoHash n) unless n is a multiple of 5 (a plain post); paid when odd. */
function cardOf(n: number): Card {
  return {
    v: 1,
    kind: n % 5 === 0 ? 'post' : 'video',
    title: `card ${n}`,
    tags: n % 2 ? ['boats'] : ['trains'],
    createdAt: 1_790_000_000 + n,
    access:
      n % 2
        ? { price: 10n, supply: 0, royaltyBps: 0, keyAgent: CREATOR }
        : { free: true, key: `0x${'11'.repeat(32)}` as Hex },
    ...(n % 5 === 0
      ? {}
      : {
          content: {
            infoHash: ih(n),
            contentRoot: `0x${'22'.repeat(32)}` as Hex,
            name: `f${n}`,
            mime: 'video/mp4',
            size: 1000,
            sliceSize: 262_144,
            contentSalt: `0x${'33'.repeat(16)}` as Hex,
            cipher: 'aes-256-gcm',
          },
        }),
  }
}

async function feedWith(seeders: Record<number, number>) {
  const dbName = `needs-seeders-${dbs++}`
  const db = await openFeedDb(dbName)
  await applyEvents(
    db,
    Array.from({ length: 12 }, (_, i) => ({
      type: 'card' as const,
      id: id(i + 1),
      creator: CREATOR,
      card: cardOf(i + 1),
      block: i + 1,
      logIndex: 0,
      seenAt: Date.now(),
    })),
  )
  db.close()
  const health = (infoHash: string): ItemHealthWire => {
    const n = Number.parseInt(infoHash.slice(2), 16)
    const s = seeders[n] ?? 0
    return {
      infoHash: infoHash.toLowerCase(),
      seeders: s,
      completeCopies: Math.max(0, s - 1),
      cheapestPrice: s ? '7' : null,
      local: false,
      updatedAt: 1,
    }
  }
  const events: NodeEvent[] = []
  const never = async (): Promise<never> => {
    throw new Error('not reached')
  }
  const feed = new FeedService(
    {
      identity: async () => null,
      requireIdentity: never,
      onGossip: () => () => {},
      publishGossip: never,
      emit: (e) => events.push(e),
      store: never,
      seed: never,
      seedPreview: never,
      access: { creatorCipher: never, keyFor: never, linkCard: never },
      health,
    },
    { chain: null, dev: true, dbName, cursorDbName: `${dbName}-c` },
  )
  await feed.start()
  return { feed, h: feed.handlers() }
}

const idsOf = (items: { id: Hex }[]) => items.map((c) => Number.parseInt(c.id.slice(2), 16))

describe('the needs-seeders lens', () => {
  it('lists content with fewer than FEW_SEEDERS seeders, fewest first, then newest', async () => {
    expect(FEW_SEEDERS).toBe(3)
    // Content cards: 1–4, 6–9, 11, 12. Seeders 0 unless set here.
    const { feed, h } = await feedWith({ 1: 2, 2: 5, 3: 1, 4: 3, 6: 2, 7: 9, 8: 1, 9: 4 })
    const page = await h['feed.query']({ lens: 'needs-seeders' }, ctx)
    // 0 seeders: 12, 11 (newest first); 1: 8, 3; 2: 6, 1. Posts (5, 10) have no content.
    expect(idsOf(page.items)).toEqual([12, 11, 8, 3, 6, 1])
    expect(page.items.map((c) => c.health?.seeders)).toEqual([0, 0, 1, 1, 2, 2])
    expect(page.next).toBeNull()

    const first = await h['feed.query']({ lens: 'needs-seeders', limit: 4 }, ctx)
    expect(idsOf(first.items)).toEqual([12, 11, 8, 3])
    const rest = await h['feed.query'](
      { lens: 'needs-seeders', limit: 4, cursor: first.next ?? undefined },
      ctx,
    )
    expect(idsOf(rest.items)).toEqual([6, 1])
    expect(rest.next).toBeNull()

    // Filters as other lenses: free only (even ids), a tag (boats: odd ids).
    const free = await h['feed.query']({ lens: 'needs-seeders', access: 'free' }, ctx)
    expect(idsOf(free.items)).toEqual([12, 8, 6])
    const boats = await h['feed.query']({ lens: 'needs-seeders', tag: 'boats' }, ctx)
    expect(idsOf(boats.items)).toEqual([11, 3, 1])
    await feed.stop()
  })

  it('every answer carries each content card’s health; a post has none, none is stored', async () => {
    const { feed, h } = await feedWith({ 4: 2 })
    const all = await h['feed.query']({ lens: 'all', limit: 12 }, ctx)
    const four = all.items.find((c) => c.id === id(4))
    expect(four?.health).toMatchObject({ infoHash: ih(4), seeders: 2, cheapestPrice: '7' })
    expect(all.items.find((c) => c.id === id(5))?.health).toBeUndefined()
    expect((await h['feed.card']({ id: id(4) }, ctx))?.health?.seeders).toBe(2)
    expect(
      (await h['feed.search']({ q: 'card' }, ctx)).every((c) => !c.card.content || c.health),
    ).toBe(true)
    await feed.stop()
    const db = await openFeedDb(`needs-seeders-${dbs - 1}`)
    expect((await db.getAll('cards')).some((r) => 'health' in r)).toBe(false)
    db.close()
  })
})
