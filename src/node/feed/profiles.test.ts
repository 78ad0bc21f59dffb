import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { Hex } from '../../shared/card/card.ts'
import { profileCard } from '../../shared/card/profile.ts'
import { openFeedDb } from './db.ts'
import { followList } from './followList.ts'
import { applyEvents, type FeedEvent, rollbackFrom } from './ingest.ts'
import { profilesOf } from './profiles.ts'
import { queryFeed, searchCards } from './query.ts'

const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex
const acct = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Hex
/** Profile card `n` named `name` by `who`, mined in `block` (pending when null). */
const named = (
  n: number,
  name: string,
  o: { who?: number; block?: number | null; logIndex?: number; createdAt?: number } = {},
): FeedEvent => ({
  type: 'card',
  id: id(n),
  creator: acct(o.who ?? 1),
  card: profileCard({ name, links: [] }, o.createdAt ?? 1_790_000_000 + n),
  ...(o.block === null ? {} : { block: o.block ?? n, logIndex: o.logIndex ?? 0 }),
  seenAt: Date.now(),
})
const nameOf = async (db: Awaited<ReturnType<typeof openFeedDb>>, who = 1) =>
  (await profilesOf(db, [acct(who)]))[0]?.name ?? null

describe('profiles: the newest profile card of an address wins', () => {
  it('in chain order (block, then log index), whatever time the cards claim', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    expect(await nameOf(db)).toBeNull()
    // The later block wins though it claims an earlier time; in one block, the later log.
    await applyEvents(db, [
      named(1, 'Ada', { block: 10, createdAt: 2_000_000_000 }),
      named(2, 'Ada L.', { block: 12, createdAt: 1_000 }),
    ])
    expect(await nameOf(db)).toBe('Ada L.')
    await applyEvents(db, [named(3, 'first in 14', { block: 14, logIndex: 1 })])
    await applyEvents(db, [named(4, 'second in 14', { block: 14, logIndex: 5 })])
    await applyEvents(db, [named(5, 'an old log again', { block: 14, logIndex: 2 })])
    expect(await nameOf(db)).toBe('second in 14')
    // Someone else's profile names only them.
    await applyEvents(db, [named(6, 'Bob', { who: 2, block: 20 })])
    expect(await profilesOf(db, [acct(1), acct(2), acct(3)])).toMatchObject([
      { name: 'second in 14', address: acct(1), cardId: id(4), status: 'mined' },
      { name: 'Bob', address: acct(2) },
      null,
    ])
    db.close()
  })

  it('a reorg that drops the newest brings the previous one back', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    await applyEvents(db, [named(1, 'Ada', { block: 10 }), named(2, 'Ada L.', { block: 12 })])
    expect(await nameOf(db)).toBe('Ada L.')
    await rollbackFrom(db, 11)
    expect(await nameOf(db)).toBe('Ada')
    // Re-read on the new chain at another block: it wins again.
    await applyEvents(db, [named(2, 'Ada L.', { block: 13 })])
    expect(await nameOf(db)).toBe('Ada L.')
    await rollbackFrom(db, 5)
    expect(await nameOf(db)).toBeNull()
    db.close()
  })

  it('a gossiped profile shows before it is mined, only if it is newer than the mined one', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    await applyEvents(db, [named(1, 'Ada', { block: 10, createdAt: 100 })])
    // An older gossiped card (a late repeat) does not replace the mined profile.
    await applyEvents(db, [named(2, 'stale', { block: null, createdAt: 50 })])
    expect(await nameOf(db)).toBe('Ada')
    await applyEvents(db, [named(3, 'Ada (new)', { block: null, createdAt: 200 })])
    expect((await profilesOf(db, [acct(1)]))[0]).toMatchObject({
      name: 'Ada (new)',
      status: 'pending',
    })
    // Mined: it is now the newest in chain order.
    await applyEvents(db, [named(3, 'Ada (new)', { block: 11, createdAt: 200 })])
    expect((await profilesOf(db, [acct(1)]))[0]).toMatchObject({
      name: 'Ada (new)',
      status: 'mined',
    })
    // A later mined profile is not hidden by a gossiped card that never got mined.
    await applyEvents(db, [named(4, 'never mined', { block: null, createdAt: 300 })])
    await applyEvents(db, [named(5, 'Ada, mined later', { block: 15, createdAt: 400 })])
    expect(await nameOf(db)).toBe('Ada, mined later')
    db.close()
  })

  it('is no card of any lens, creator page or search', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    await applyEvents(db, [named(1, 'Searchable Name', { block: 1 })])
    const ctx = { me: acct(1), following: async () => [acct(1)] }
    for (const q of [
      { lens: 'all' as const },
      { lens: 'apps' as const },
      { lens: 'library' as const },
      { lens: 'following' as const },
      { lens: 'all' as const, creator: acct(1) },
    ])
      expect((await queryFeed(db, q, ctx)).items).toEqual([])
    expect(await searchCards(db, 'searchable')).toEqual([])
    db.close()
  })
})

describe('followList', () => {
  it('lists followers and following, the newest first, without unfollowed ones', async () => {
    const db = await openFeedDb(`t-${Math.random()}`)
    const follow = (follower: number, creator: number, block: number, following = true) =>
      ({
        type: 'follow',
        follower: acct(follower),
        creator: acct(creator),
        following,
        block,
        logIndex: 0,
      }) as const
    await applyEvents(db, [
      follow(2, 1, 1),
      follow(3, 1, 2),
      follow(4, 1, 3),
      follow(3, 1, 4, false),
      follow(1, 5, 5),
    ])
    expect(await followList(db, acct(1), 'followers')).toEqual([acct(4), acct(2)])
    expect(await followList(db, acct(1), 'followers', 1)).toEqual([acct(4)])
    expect(await followList(db, acct(1), 'following')).toEqual([acct(5)])
    await expect(followList(db, acct(1), 'fans' as 'followers')).rejects.toThrow(/side: expected/)
    db.close()
  })
})
