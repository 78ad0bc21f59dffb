/**
 * Deriving an account's activity (issue #18 item 4) from what the node already reads: the feed
 * indexer's events (follows, reactions, cards — a card with a parent is a comment; gossiped
 * ones arrive before they are mined) and the market follower's KeyMarket and Chequebook logs
 * (market.ts). Pure functions over small ports, so the rules are tested without a chain.
 *
 * Every entry's id is derived from the event itself (a follow from its block and log index, a
 * comment from the reply's card id, a sale from its token), so log sync's at-least-once delivery
 * and gossip repeats never make a second entry.
 */
import type { ActivityEntry } from '../../shared/protocol/methods/activity.ts'
import { chequeLineId } from '../../shared/protocol/methods/activity.ts'
import type { FeedEvent } from '../feed/ingest.ts'

type Hex = `0x${string}`

/** This account's addresses, lower-case: the identity's and the one acting on-chain. */
export type Me = ReadonlySet<string>

const ZERO = '0x0000000000000000000000000000000000000000'
const lower = (a: string) => a.toLowerCase() as Hex

/** What deriving needs of the rest of the node. */
export type DeriveContext = {
  me: Me
  /** A card's creator as the feed index holds it (null: not indexed). */
  creatorOf(cardId: Hex): Promise<Hex | null>
  /** A block's time in ms. */
  timeOf(block: number): Promise<number>
}

/**
 * The notifications in a batch of feed events: a follow of me, a reaction to my card, and a
 * reply card to my card (mined or gossiped), never my own doing.
 * @example await entriesOfFeedEvents(events, { me, creatorOf, timeOf })
 */
export async function entriesOfFeedEvents(
  events: readonly FeedEvent[],
  c: DeriveContext,
): Promise<ActivityEntry[]> {
  const out: ActivityEntry[] = []
  // One lookup per card per batch (a catch-up brings many reactions to the same cards).
  const known = new Map<Hex, Promise<boolean>>()
  const mine = (cardId: Hex) => {
    const id = lower(cardId)
    let p = known.get(id)
    if (!p) {
      p = c.creatorOf(id).then((creator) => creator !== null && c.me.has(creator.toLowerCase()))
      known.set(id, p)
    }
    return p
  }
  for (const e of events) {
    if (e.type === 'follow') {
      if (!e.following || !c.me.has(e.creator) || c.me.has(e.follower)) continue
      out.push({
        id: `follow:${e.follower}:${e.block}:${e.logIndex}`,
        kind: 'follow',
        at: await c.timeOf(e.block),
        block: e.block,
        who: e.follower,
        read: false,
      })
    } else if (e.type === 'reaction') {
      if (c.me.has(e.from) || !(await mine(e.cardId))) continue
      out.push({
        id: `reaction:${e.cardId}:${e.from}:${e.kind}`,
        kind: 'reaction',
        at: await c.timeOf(e.block),
        block: e.block,
        cardId: e.cardId,
        who: e.from,
        read: false,
      })
    } else if (e.type === 'card' && e.card.parent) {
      const parent = lower(e.card.parent)
      if (c.me.has(e.creator) || !(await mine(parent))) continue
      out.push({
        id: `comment:${e.id}`,
        kind: 'comment',
        at: e.block === undefined ? e.seenAt : await c.timeOf(e.block),
        ...(e.block === undefined ? {} : { block: e.block }),
        cardId: e.id,
        parentId: parent,
        who: e.creator,
        read: false,
      })
    }
  }
  return out
}

/** Where a log sits on the chain. */
type Pos = { blockNumber: bigint; logIndex: number; transactionHash: Hex }

/** The KeyMarket and Chequebook logs the market follower reads (viem's decoded logs fit). */
export type MarketLog = Pos &
  (
    | {
        eventName: 'Listed'
        args: { cardId: Hex; creator: Hex; listingId: bigint; price: bigint }
      }
    | { eventName: 'Transfer'; args: { from: Hex; to: Hex; tokenId: bigint } }
    | {
        eventName: 'Resold'
        args: { tokenId: bigint; seller: Hex; buyer: Hex; price: bigint; royalty: bigint }
      }
    | {
        eventName: 'Claimed'
        source: 'keyMarket' | 'chequebook'
        args: { account: Hex; amount: bigint }
      }
    | {
        eventName: 'ChequeCashed'
        args: { payer: Hex; payee: Hex; cardId: Hex; amount: bigint; royalty: bigint }
      }
  )

/** A listing of mine: its card and price (wei). */
export type MyListing = { cardId: Hex; price: bigint }

/** What deriving market entries needs besides {@link DeriveContext}. */
export type MarketContext = DeriveContext & {
  /** My listings by listing id (decimal); `Listed` logs of mine are added to it. */
  listings: Map<string, MyListing>
  /** Any token's listing (a chain read): the card, price and transfer fee of a key I bought. */
  listingOfToken(tokenId: bigint): Promise<{ cardId: Hex; price: bigint; transferFee: bigint }>
}

const listingIdOf = (tokenId: bigint) => (tokenId >> 64n).toString()

/**
 * The entries of a batch of market logs (in chain order): my listings sold (`sale`), keys of my
 * listings resold (`royalty`), my keys sold on their offer (`resale`), keys I bought
 * (`purchase`), what I claimed (`claim`), cheques cashed for or against me (`cash`, one
 * per transaction and side, naming the cheque lines it covered), and the royalty of each cheque
 * cashed on a card of mine, whoever the payee (`royalty` from the Chequebook, one per cheque).
 */
export async function entriesOfMarketLogs(
  logs: readonly MarketLog[],
  c: MarketContext,
): Promise<ActivityEntry[]> {
  const out: ActivityEntry[] = []
  const cash = new Map<string, ActivityEntry & { lines: string[] }>()
  for (const l of logs) {
    const block = Number(l.blockNumber)
    const base = { block, txHash: l.transactionHash }
    switch (l.eventName) {
      case 'Listed':
        if (c.me.has(lower(l.args.creator)))
          c.listings.set(l.args.listingId.toString(), {
            cardId: lower(l.args.cardId),
            price: l.args.price,
          })
        break
      case 'Transfer': {
        const { from, to, tokenId } = l.args
        if (lower(from) !== ZERO) break // resales come as Resold; plain transfers are gifts
        const listing = c.listings.get(listingIdOf(tokenId))
        const at = await c.timeOf(block)
        if (listing && !c.me.has(lower(to)))
          out.push({
            ...base,
            id: `sale:${tokenId}`,
            kind: 'sale',
            at,
            cardId: listing.cardId,
            who: lower(to),
            amount: listing.price.toString(),
            tokenId: tokenId.toString(),
            read: false,
          })
        if (c.me.has(lower(to))) {
          const bought = listing ?? (await c.listingOfToken(tokenId))
          out.push({
            ...base,
            id: `purchase:${tokenId}:${block}`,
            kind: 'purchase',
            at,
            cardId: lower(bought.cardId),
            amount: bought.price.toString(),
            out: true,
            tokenId: tokenId.toString(),
          })
        }
        break
      }
      case 'Resold': {
        const { tokenId, seller, buyer, price, royalty } = l.args
        const listing = c.listings.get(listingIdOf(tokenId))
        const mineSeller = c.me.has(lower(seller))
        const mineBuyer = c.me.has(lower(buyer))
        if (!listing && !mineSeller && !mineBuyer) break
        const at = await c.timeOf(block)
        const token = { tokenId: tokenId.toString(), who: lower(buyer) }
        const bought = mineBuyer || !listing ? await c.listingOfToken(tokenId) : null
        const cardId = lower((bought ?? (listing as MyListing)).cardId)
        const key = `${tokenId}:${block}:${l.logIndex}`
        if (listing && !mineBuyer && royalty > 0n)
          out.push({
            ...base,
            ...token,
            id: `royalty:${key}`,
            kind: 'royalty',
            at,
            cardId,
            amount: royalty.toString(),
            read: false,
          })
        if (mineSeller && !mineBuyer)
          out.push({
            ...base,
            ...token,
            id: `resale:${key}`,
            kind: 'resale',
            at,
            cardId,
            amount: (price - royalty).toString(),
            read: false,
          })
        if (mineBuyer && !mineSeller) {
          const fee = bought?.transferFee ?? 0n
          out.push({
            ...base,
            id: `purchase:${tokenId}:${block}`,
            kind: 'purchase',
            at,
            cardId,
            who: lower(seller),
            amount: (price + fee).toString(),
            out: true,
            tokenId: tokenId.toString(),
          })
        }
        break
      }
      case 'Claimed':
        if (!c.me.has(lower(l.args.account))) break
        out.push({
          ...base,
          id: `claim:${l.source}:${l.transactionHash}:${l.logIndex}`,
          kind: 'claim',
          at: await c.timeOf(block),
          amount: l.args.amount.toString(),
          source: l.source,
        })
        break
      case 'ChequeCashed': {
        const { payer, payee, cardId, amount, royalty } = l.args
        const creator = royalty > 0n ? await c.creatorOf(lower(cardId)) : null
        if (creator && c.me.has(lower(creator)))
          out.push({
            ...base,
            id: `royalty:cheque:${l.transactionHash}:${l.logIndex}`,
            kind: 'royalty',
            at: await c.timeOf(block),
            cardId: lower(cardId),
            who: lower(payer),
            amount: royalty.toString(),
            source: 'chequebook',
            read: false,
          })
        for (const side of ['received', 'sent'] as const) {
          if (!c.me.has(lower(side === 'received' ? payee : payer))) continue
          const id = `cash:${side}:${l.transactionHash}`
          let e = cash.get(id)
          if (!e) {
            e = {
              ...base,
              id,
              kind: 'cash',
              at: await c.timeOf(block),
              amount: '0',
              side,
              out: side === 'sent',
              source: 'chequebook',
              lines: [],
            }
            cash.set(id, e)
            out.push(e)
          }
          const part = side === 'received' ? amount - royalty : amount
          e.amount = (BigInt(e.amount ?? '0') + part).toString()
          const line = chequeLineId(side, l.args)
          if (!e.lines.includes(line)) e.lines.push(line)
        }
        break
      }
    }
  }
  return out
}
