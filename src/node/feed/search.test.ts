import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { Hex } from '../../shared/card/card.ts'
import { openFeedDb } from './db.ts'
import { applyEvents, type FeedEvent } from './ingest.ts'
import { SEARCH_POSTINGS, searchCards } from './query.ts'
import { termOf, tokenKey } from './tokens.ts'

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex
const creator = `0x${'a'.repeat(40)}` as Hex
const posted = (n: number, title: string, tags: string[] = []): FeedEvent => ({
  type: 'card',
  id: id(n),
  creator,
  card: { v: 1, kind: 'post', title, tags, createdAt: 1_790_000_000 + n, access: { free: true } },
  block: n,
  logIndex: 0,
  seenAt: Date.now(),
})

describe('search with common terms capped', () => {
  it('orders a term newest first in the index and reads the term back', () => {
    expect(tokenKey('sun', 2_000) < tokenKey('sun', 1_000)).toBe(true)
    expect(termOf(tokenKey('sun', 5))).toBe('sun')
  })

  it('finds rare terms beside common ones, by prefix too, and ranks common-only searches newest', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    const common = SEARCH_POSTINGS + 50
    // Card 1 is the oldest: it lies beyond the bounded postings of "common".
    const events = [posted(1, 'common zebra', ['striped'])]
    for (let i = 2; i <= common; i++) events.push(posted(i, `common card ${i}`))
    events.push(posted(common + 1, 'commonplace walrus'))
    await applyEvents(db, events)

    const ids = async (q: string, limit = 20) => (await searchCards(db, q, limit)).map((c) => c.id)
    expect(await ids('zebra')).toEqual([id(1)])
    expect(await ids('common zebra')).toEqual([id(1)])
    expect(await ids('zebra common')).toEqual([id(1)]) // the common word as a prefix
    expect(await ids('common zeb')).toEqual([id(1)])
    expect(await ids('#striped common')).toEqual([id(1)])
    expect(await ids('walrus commo')).toEqual([id(common + 1)])
    expect(await ids('common walrus')).toEqual([]) // exact "common" is not "commonplace"
    expect(await ids('zebra walrus')).toEqual([])
    // Only common terms: the newest matches, ranked (title hits tie, so newest first).
    const newest = await ids('common card', 5)
    expect(newest).toEqual([common, common - 1, common - 2, common - 3, common - 4].map(id))
    expect(await ids('nothing')).toEqual([])
    // Cards under two terms of a prefix range (read as one range) are listed once each.
    await applyEvents(
      db,
      Array.from({ length: 40 }, (_, i) => posted(1_000 + i, `quokka quokkas ${i}`)),
    )
    const both = await ids('quok', 200)
    expect(both).toHaveLength(40)
    expect(new Set(both).size).toBe(40)
    db.close()
  })
})
