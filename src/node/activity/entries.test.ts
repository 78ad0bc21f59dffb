import { describe, expect, it } from 'vitest'
import type { FeedEvent } from '../feed/ingest.ts'
import { addr, id, pos, reply } from './_fixtures.ts'
import {
  entriesOfFeedEvents,
  entriesOfMarketLogs,
  type MarketLog,
  type MyListing,
} from './entries.ts'

type Hex = `0x${string}`

const ME = addr(0xa)
const B = addr(0xb)
const C = addr(0xc)
const MINE = id(1)
const THEIRS = id(2)
const me = new Set([ME])
const creators = new Map<string, Hex>([
  [MINE, ME],
  [THEIRS, C],
])
const feedCtx = {
  me,
  creatorOf: async (cardId: Hex) => creators.get(cardId) ?? null,
  timeOf: async (block: number) => block * 1000,
}
const card = reply

describe('entriesOfFeedEvents', () => {
  it('keeps follows of me, reactions and replies to my cards, never my own doing', async () => {
    const events: FeedEvent[] = [
      { type: 'follow', follower: B, creator: ME, following: true, block: 5, logIndex: 0 },
      { type: 'follow', follower: B, creator: C, following: true, block: 5, logIndex: 1 },
      { type: 'follow', follower: B, creator: ME, following: false, block: 6, logIndex: 0 },
      { type: 'reaction', cardId: MINE, from: B, kind: 1, block: 7 },
      { type: 'reaction', cardId: MINE, from: ME, kind: 1, block: 7 },
      { type: 'reaction', cardId: THEIRS, from: B, kind: 1, block: 7 },
      { type: 'card', id: id(9), creator: B, card: card(MINE), seenAt: 42_000 },
      { type: 'card', id: id(10), creator: B, card: card(THEIRS), block: 8, seenAt: 1 },
      { type: 'card', id: id(11), creator: ME, card: card(MINE), block: 8, seenAt: 1 },
      { type: 'view', cardId: MINE, viewer: B, at: 1 },
    ]
    const out = await entriesOfFeedEvents(events, feedCtx)
    expect(out).toEqual([
      { id: `follow:${B}:5:0`, kind: 'follow', at: 5000, block: 5, who: B, read: false },
      {
        id: `reaction:${MINE}:${B}:1`,
        kind: 'reaction',
        at: 7000,
        block: 7,
        cardId: MINE,
        who: B,
        read: false,
      },
      // A gossiped reply: its time is when it was seen.
      {
        id: `comment:${id(9)}`,
        kind: 'comment',
        at: 42_000,
        cardId: id(9),
        parentId: MINE,
        who: B,
        read: false,
      },
    ])
  })

  it('gives the same id to a reply gossiped and then mined', async () => {
    const gossip = await entriesOfFeedEvents(
      [{ type: 'card', id: id(9), creator: B, card: card(MINE), seenAt: 1 }],
      feedCtx,
    )
    const mined = await entriesOfFeedEvents(
      [{ type: 'card', id: id(9), creator: B, card: card(MINE), block: 3, seenAt: 2 }],
      feedCtx,
    )
    expect(mined[0]?.id).toBe(gossip[0]?.id)
  })
})

describe('entriesOfMarketLogs', () => {
  const listingId = 3n
  const token = (n: bigint, listing = listingId) => (listing << 64n) | n
  const otherListing = { cardId: THEIRS, price: 7n, transferFee: 2n }
  const ctx = () => ({
    me,
    listings: new Map<string, MyListing>(),
    timeOf: async (block: number) => block * 1000,
    listingOfToken: async () => otherListing,
    creatorOf: async (cardId: Hex) => (cardId === MINE ? ME : cardId === THEIRS ? C : null),
  })

  it('names sales of my listing, my purchases, royalties, resales, claims and cash-outs', async () => {
    const c = ctx()
    const logs: MarketLog[] = [
      {
        ...pos(2, 0),
        eventName: 'Listed',
        args: { cardId: MINE, creator: ME, listingId, price: 100n },
      },
      { ...pos(3, 0), eventName: 'Transfer', args: { from: addr(0), to: B, tokenId: token(1n) } },
      // A mint of someone else's listing to someone else: nothing of mine.
      {
        ...pos(3, 1),
        eventName: 'Transfer',
        args: { from: addr(0), to: B, tokenId: token(1n, 9n) },
      },
      // My purchase of another's key.
      {
        ...pos(4, 0),
        eventName: 'Transfer',
        args: { from: addr(0), to: ME, tokenId: token(2n, 9n) },
      },
      // B resells my listing's key to C: my royalty.
      {
        ...pos(5, 0),
        eventName: 'Resold',
        args: { tokenId: token(1n), seller: B, buyer: C, price: 50n, royalty: 5n },
      },
      // I resell the key I bought: my share.
      {
        ...pos(6, 0),
        eventName: 'Resold',
        args: { tokenId: token(2n, 9n), seller: ME, buyer: C, price: 30n, royalty: 3n },
      },
      {
        ...pos(7, 0),
        eventName: 'Claimed',
        source: 'keyMarket',
        args: { account: ME, amount: 105n },
      },
      // One cashBatch paid me on two lines; a cheque of mine cashed by C.
      {
        ...pos(8, 0),
        eventName: 'ChequeCashed',
        args: { payer: B, payee: ME, cardId: MINE, amount: 10n, royalty: 1n },
      },
      {
        ...pos(8, 1),
        eventName: 'ChequeCashed',
        args: { payer: C, payee: ME, cardId: THEIRS, amount: 20n, royalty: 2n },
      },
      {
        ...pos(9, 0),
        eventName: 'ChequeCashed',
        args: { payer: ME, payee: C, cardId: THEIRS, amount: 4n, royalty: 0n },
      },
      // B's cheque on my card, cashed by C (a seeder): its royalty is mine.
      {
        ...pos(9, 1),
        eventName: 'ChequeCashed',
        args: { payer: B, payee: C, cardId: MINE, amount: 30n, royalty: 3n },
      },
    ]
    const out = await entriesOfMarketLogs(logs, c)
    expect(c.listings.get('3')).toEqual({ cardId: MINE, price: 100n })
    const brief = out.map((e) => [e.kind, e.amount, e.cardId ?? null, e.who ?? null, !!e.out])
    expect(brief).toEqual([
      ['sale', '100', MINE, B, false],
      ['purchase', '7', THEIRS, null, true],
      ['royalty', '5', MINE, C, false],
      ['resale', '27', THEIRS, C, false],
      ['claim', '105', null, null, false],
      ['royalty', '1', MINE, B, false],
      ['cash', '27', null, null, false],
      ['cash', '4', null, null, true],
      ['royalty', '3', MINE, B, false],
    ])
    // Each cheque's royalty is an entry of its own, from the Chequebook.
    expect(out.filter((e) => e.kind === 'royalty').map((e) => [e.id, e.source ?? null])).toEqual([
      [`royalty:${token(1n)}:5:0`, null],
      [`royalty:cheque:${pos(8).transactionHash}:0`, 'chequebook'],
      [`royalty:cheque:${pos(9).transactionHash}:1`, 'chequebook'],
    ])
    expect(out.find((e) => e.kind === 'sale')).toMatchObject({
      id: `sale:${token(1n)}`,
      block: 3,
      at: 3000,
      tokenId: token(1n).toString(),
      read: false,
    })
    expect(out.filter((e) => e.kind === 'cash').map((e) => e.lines)).toEqual([
      [`cheques:received:${B}:${ME}:${MINE}`, `cheques:received:${C}:${ME}:${THEIRS}`],
      [`cheques:sent:${ME}:${C}:${THEIRS}`],
    ])
    // Money entries are not notifications; sales and royalties are.
    expect(out.find((e) => e.kind === 'purchase')?.read).toBeUndefined()
  })

  it('prices a resold key bought by me with its transfer fee', async () => {
    const out = await entriesOfMarketLogs(
      [
        {
          ...pos(5, 0),
          eventName: 'Resold',
          args: { tokenId: token(4n, 9n), seller: B, buyer: ME, price: 30n, royalty: 3n },
        },
      ],
      ctx(),
    )
    expect(out).toMatchObject([{ kind: 'purchase', amount: '32', who: B, cardId: THEIRS }])
  })
})
