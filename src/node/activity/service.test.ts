/**
 * The activity service over fake-indexeddb and a fake account (no chain: the market follower is
 * off and its logs are handed in): notifications derived from feed events, the unread count
 * and its event, read state surviving a restart, and the wallet's history with its links.
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { PayLine } from '../../shared/protocol/methods/pay.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import type { AccountContext } from '../account/service.ts'
import type { FeedEvent } from '../feed/ingest.ts'
import { addr, id, pos, reply } from './_fixtures.ts'
import type { MarketLog } from './entries.ts'
import { type ActivityService, activityService } from './service.ts'

type Hex = `0x${string}`
const ME = addr(0xa)
const B = addr(0xb)
const C = addr(0xc)
const MINE = id(1)

let dbCount = 0

function setup(o: { dbName?: string; lines?: PayLine[]; past?: FeedEvent[] } = {}) {
  const events: NodeEvent[] = []
  const pastCalls: Hex[][] = []
  const ctx = {
    chain: {
      account: { address: ME },
      publicClient: {
        getBlock: async ({ blockNumber }: { blockNumber: bigint }) => ({
          timestamp: blockNumber * 10n,
        }),
      },
    },
    identity: { address: ME },
    config: { deployBlock: 0 },
  } as unknown as AccountContext
  const dbName = o.dbName ?? `activity-test-${++dbCount}`
  const make = () =>
    activityService({ dbName, followMarket: false })({
      account: { context: async () => ctx, onChange: () => () => {} },
      emit: (e) => events.push(e),
      card: async (cardId) => (cardId === MINE ? { creator: ME, title: 'Harbour at dusk' } : null),
      payLines: () => o.lines ?? [],
      feedPast: async (accounts) => {
        pastCalls.push(accounts)
        return o.past ?? []
      },
    })
  return { events, make, dbName, pastCalls }
}

const updates = (events: NodeEvent[]) =>
  events.flatMap((e) => (e.kind === 'activity.update' ? [e] : []))

async function feed(a: ActivityService) {
  await a.feedEvents([
    { type: 'follow', follower: B, creator: ME, following: true, block: 3, logIndex: 0 },
    { type: 'reaction', cardId: MINE, from: B, kind: 1, block: 4 },
    {
      type: 'card',
      id: id(7),
      creator: C,
      card: reply(MINE),
      seenAt: 99_000,
    },
  ])
}

describe('activity service', () => {
  it('lists follows, reactions and comments, counts them unread and tells the page', async () => {
    const { events, make } = setup()
    const a = make()
    await a.start()
    await feed(a)
    const list = await a.handlers()['activity.list'](undefined)
    expect(list.unread).toBe(3)
    expect(list.entries.map((e) => [e.kind, e.who, e.title ?? null, e.read])).toEqual([
      ['comment', C, 'Harbour at dusk', false],
      ['reaction', B, 'Harbour at dusk', false],
      ['follow', B, null, false],
    ])
    // The block's time, in ms.
    expect(list.entries[1]?.at).toBe(40_000)
    expect(updates(events).map((e) => [e.unread, e.added.length])).toEqual([[3, 3]])
    // The same events again (log sync delivers at least once): nothing new, nothing told.
    await feed(a)
    expect((await a.handlers()['activity.list'](undefined)).unread).toBe(3)
    expect(updates(events)).toHaveLength(1)
    await a.stop()
  })

  it('marks read, and the read state survives a restart', async () => {
    const { events, make } = setup()
    const a = make()
    await a.start()
    await feed(a)
    const [first] = (await a.handlers()['activity.list'](undefined)).entries
    expect(await a.handlers()['activity.markRead']({ ids: [first!.id] })).toEqual({ unread: 2 })
    expect(updates(events).at(-1)).toMatchObject({ unread: 2, added: [] })
    await a.stop()

    const again = make()
    await again.start()
    const list = await again.handlers()['activity.list'](undefined)
    expect(list.unread).toBe(2)
    expect(list.entries.find((e) => e.id === first!.id)?.read).toBe(true)
    expect(await again.handlers()['activity.markRead'](undefined)).toEqual({ unread: 0 })
    await again.stop()

    const third = make()
    await third.start()
    expect((await third.handlers()['activity.list'](undefined)).unread).toBe(0)
    // A new follow after that is unread again.
    await third.feedEvents([
      { type: 'follow', follower: C, creator: ME, following: true, block: 9, logIndex: 0 },
    ])
    expect((await third.handlers()['activity.list'](undefined)).unread).toBe(1)
    await third.stop()
  })

  it('reads what the feed index held before, once, as read', async () => {
    const past: FeedEvent[] = [
      { type: 'follow', follower: C, creator: ME, following: true, block: 2, logIndex: 0 },
      { type: 'reaction', cardId: MINE, from: C, kind: 1, block: 2 },
    ]
    const { make, pastCalls, events } = setup({ past })
    const a = make()
    await a.start()
    expect(pastCalls).toEqual([[ME]])
    const list = await a.handlers()['activity.list'](undefined)
    expect(list.unread).toBe(0)
    expect(list.entries.map((e) => [e.kind, e.read])).toEqual([
      ['reaction', true],
      ['follow', true],
    ])
    expect(updates(events)).toEqual([])
    await a.stop()
    const again = make()
    await again.start()
    expect(pastCalls).toHaveLength(1)
    await again.stop()
  })

  it('refuses a bad limit with a clear error and keeps serving', async () => {
    const a = setup().make()
    await a.start()
    await expect(a.handlers()['activity.list']({ limit: 0 })).rejects.toMatchObject({
      name: 'InvalidInputError',
    })
    await expect(a.handlers()['activity.markRead']({ ids: 'all' as never })).rejects.toMatchObject({
      name: 'InvalidInputError',
    })
    expect((await a.handlers()['activity.list']({ limit: 5 })).entries).toEqual([])
    await a.stop()
  })

  it('builds the wallet history with links between related entries', async () => {
    const at = pos
    const token = (n: bigint) => (3n << 64n) | n
    const line = (payer: Hex, side: 'sent' | 'received'): PayLine => ({
      side,
      payer,
      payee: side === 'received' ? ME : C,
      cardId: MINE,
      cumulative: '30',
      cashed: '10',
      slices: 3,
      bytes: 3 * 262_144,
      updatedAt: 1,
    })
    const { make } = setup({ lines: [line(B, 'received'), line(ME, 'sent')] })
    const a = make()
    await a.start()
    const s = (await a.session())!
    const logs: MarketLog[] = [
      {
        ...at(2),
        eventName: 'Listed',
        args: { cardId: MINE, creator: ME, listingId: 3n, price: 100n },
      },
      { ...at(3), eventName: 'Transfer', args: { from: addr(0), to: B, tokenId: token(1n) } },
      {
        ...at(4),
        eventName: 'Resold',
        args: { tokenId: token(1n), seller: B, buyer: C, price: 50n, royalty: 5n },
      },
      { ...at(5), eventName: 'Claimed', source: 'keyMarket', args: { account: ME, amount: 105n } },
      { ...at(6), eventName: 'Transfer', args: { from: addr(0), to: C, tokenId: token(2n) } },
      {
        ...at(7),
        eventName: 'ChequeCashed',
        args: { payer: B, payee: ME, cardId: MINE, amount: 10n, royalty: 1n },
      },
    ]
    await a.marketLogs(s, logs)
    const { entries } = await a.handlers()['activity.history'](undefined)
    const byKind = (k: string, n = 0) =>
      entries.filter(
        (e) =>
          e.kind === k && !('source' in e && e.kind === 'royalty' && e.source === 'chequebook'),
      )[n]!
    // I am the payee and the card's creator: the cash-out and the cheque's royalty.
    expect(entries.map((e) => e.kind)).toEqual([
      'cash',
      'royalty',
      'sale',
      'claim',
      'royalty',
      'sale',
      'cheques',
      'cheques',
    ])
    const [late, early] = [byKind('sale', 0), byKind('sale', 1)]
    expect(early).toMatchObject({ amount: '100', title: 'Harbour at dusk', who: B })
    // The claim collected the first sale and the royalty, not the sale after it.
    expect(byKind('claim').links.sort()).toEqual([early.id, byKind('royalty').id].sort())
    expect(late.links).toEqual([])
    // The sale and the royalty of the same token, both ways.
    expect(early.links).toContain(byKind('royalty').id)
    expect(byKind('royalty').links).toContain(early.id)
    // The cash-out and the line it paid on, both ways; the line I pay on is not linked.
    const received = entries.find((e) => e.kind === 'cheques' && e.side === 'received')!
    const sent = entries.find((e) => e.kind === 'cheques' && e.side === 'sent')!
    expect(byKind('cash')).toMatchObject({ amount: '9', links: [received.id] })
    expect(received.links).toEqual([byKind('cash').id])
    expect(sent.links).toEqual([])
    expect(received).toMatchObject({ amount: '30', cashed: '10', who: B, title: 'Harbour at dusk' })
    // A sale is a notification too (unread); the claim and the cash-out are not.
    const list = await a.handlers()['activity.list'](undefined)
    expect(list.entries.map((e) => e.kind)).toEqual(['royalty', 'sale', 'royalty', 'sale'])
    // The listing is remembered: after a restart a new mint is still a sale of mine.
    await a.stop()
    const again = make()
    await again.start()
    await again.marketLogs((await again.session())!, [
      { ...at(8), eventName: 'Transfer', args: { from: addr(0), to: C, tokenId: token(3n) } },
    ])
    expect((await again.handlers()['activity.list'](undefined)).entries[0]).toMatchObject({
      kind: 'sale',
      tokenId: token(3n).toString(),
      amount: '100',
    })
    await again.stop()
  })
  it('withdraws what a reorg undid, from the store and the page, and keeps the rest', async () => {
    const { events, make } = setup()
    const a = make()
    await a.start()
    await feed(a) // a follow (block 3), a reaction (block 4) and a gossiped comment (no block)
    const s = (await a.session())!
    await a.marketLogs(s, [
      {
        ...pos(2),
        eventName: 'Listed',
        args: { cardId: MINE, creator: ME, listingId: 3n, price: 100n },
      },
      {
        ...pos(3),
        eventName: 'Transfer',
        args: { from: addr(0), to: B, tokenId: (3n << 64n) | 1n },
      },
      {
        ...pos(5),
        eventName: 'Transfer',
        args: { from: addr(0), to: C, tokenId: (3n << 64n) | 2n },
      },
    ])
    const kinds = async () =>
      (await a.handlers()['activity.list'](undefined)).entries.map((e) => [e.kind, e.block ?? null])
    expect(await kinds()).toEqual([
      ['comment', null],
      ['sale', 5],
      ['reaction', 4],
      ['sale', 3],
      ['follow', 3],
    ])
    // The feed's index rolled back from block 4: the reaction goes, the follow and the gossiped
    // comment (not mined) stay, and so do the sales (the market follower's own reorg check).
    await a.feedReorg(4)
    expect(await kinds()).toEqual([
      ['comment', null],
      ['sale', 5],
      ['sale', 3],
      ['follow', 3],
    ])
    const reaction = `reaction:${MINE}:${B}:1`
    expect(updates(events).at(-1)).toMatchObject({ unread: 4, added: [], removed: [reaction] })
    // The market follower's reorg from block 4: the later sale goes.
    await a.marketReorg(s, 4)
    expect(await kinds()).toEqual([
      ['comment', null],
      ['sale', 3],
      ['follow', 3],
    ])
    expect(updates(events).at(-1)).toMatchObject({
      unread: 3,
      removed: [`sale:${(3n << 64n) | 2n}`],
    })
    // Nothing from there on: no event.
    const told = updates(events).length
    await a.feedReorg(10)
    expect(updates(events)).toHaveLength(told)
    // The reaction read again on the new chain (the log sync re-reads) is back, unread.
    await a.feedEvents([{ type: 'reaction', cardId: MINE, from: B, kind: 1, block: 6 }])
    expect(await kinds()).toContainEqual(['reaction', 6])
    await a.stop()
  })

  it('lists each cheque royalty and links them to the Chequebook claim that paid them', async () => {
    const { make } = setup()
    const a = make()
    await a.start()
    const s = (await a.session())!
    const cashed = (block: number, royalty: bigint): MarketLog => ({
      ...pos(block),
      eventName: 'ChequeCashed',
      args: { payer: B, payee: C, cardId: MINE, amount: 10n * royalty, royalty },
    })
    await a.marketLogs(s, [
      cashed(2, 1n),
      cashed(3, 2n),
      { ...pos(4), eventName: 'Claimed', source: 'chequebook', args: { account: ME, amount: 3n } },
      cashed(5, 4n),
    ])
    const { entries } = await a.handlers()['activity.history'](undefined)
    expect(entries.map((e) => [e.kind, e.amount, e.who ?? null])).toEqual([
      ['royalty', '4', B],
      ['claim', '3', null],
      ['royalty', '2', B],
      ['royalty', '1', B],
    ])
    const [late, claim, second, first] = entries
    expect(claim!.links.sort()).toEqual([first!.id, second!.id].sort())
    expect(first!.links).toEqual([claim!.id])
    expect(late!.links).toEqual([])
    expect(first).toMatchObject({ source: 'chequebook', title: 'Harbour at dusk' })
    // They are notifications too.
    expect((await a.handlers()['activity.list'](undefined)).unread).toBe(3)
    await a.stop()
  })
})
