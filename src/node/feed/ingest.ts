/**
 * Writes into the feed database: cards (from gossip or the chain), reactions, follows and
 * views, a batch per transaction. Every write is idempotent, because log sync delivers at
 * least once and gossip repeats: a card is keyed by its id, a reaction by (card, account,
 * kind), a view by (card, account), a follow by (follower, creator) and applied only when it
 * is newer in chain order.
 */
import type { IDBPTransaction } from 'idb'
import type { Card, Hex } from '../../shared/card/card.ts'
import type { FeedCard } from '../../shared/card/feed.ts'
import { type CardRow, type FeedDb, type FeedSchema, fromRow, toRow } from './db.ts'

export type FeedEvent =
  | {
      type: 'card'
      id: Hex
      creator: Hex
      card: Card
      /** Absent for a gossiped (pending) card. */
      block?: number | undefined
      logIndex?: number | undefined
      seenAt: number
    }
  | { type: 'reaction'; cardId: Hex; from: Hex; kind: number; block: number }
  | {
      type: 'follow'
      follower: Hex
      creator: Hex
      following: boolean
      block: number
      logIndex: number
    }
  | { type: 'view'; cardId: Hex; viewer: Hex; at: number }

type Tx = IDBPTransaction<FeedSchema, ('cards' | 'reactions' | 'follows' | 'views')[], 'readwrite'>

const STORES = ['cards', 'reactions', 'follows', 'views'] as const

function bump(tx: Tx, changed: Map<Hex, FeedCard>, row: CardRow, patch: Partial<FeedCard>) {
  const next = toRow({ ...fromRow(row), ...patch }, row.logIndex)
  changed.set(next.id, fromRow(next))
  return tx.objectStore('cards').put(next)
}

async function applyCard(
  tx: Tx,
  e: Extract<FeedEvent, { type: 'card' }>,
  changed: Map<Hex, FeedCard>,
) {
  const cards = tx.objectStore('cards')
  const existing = await cards.get(e.id)
  const mined = e.block !== undefined
  if (existing) {
    if (!mined || existing.status === 'mined') return
    // The chain confirms a gossiped card; the chain's creator is the truth.
    await bump(tx, changed, existing, { status: 'mined', block: e.block, creator: e.creator })
    return
  }
  const postedAt = Math.min(e.card.createdAt * 1000, e.seenAt)
  const comments = await cards
    .index('new')
    .count(IDBKeyRange.bound(`parent:${e.id}|`, `parent:${e.id}|\uffff`))
  const views = await tx.objectStore('views').count(IDBKeyRange.bound([e.id, ''], [e.id, '\uffff']))
  const fc: FeedCard = {
    id: e.id,
    creator: e.creator,
    card: e.card,
    status: mined ? 'mined' : 'pending',
    ...(mined ? { block: e.block } : {}),
    postedAt,
    reactions: 0,
    comments,
    views,
  }
  const row = toRow(fc, e.logIndex)
  await cards.put(row)
  changed.set(fc.id, fc)
  if (e.card.parent) {
    const parent = await cards.get(e.card.parent)
    if (parent) await bump(tx, changed, parent, { comments: parent.comments + 1 })
  }
}

async function applyOne(tx: Tx, e: FeedEvent, changed: Map<Hex, FeedCard>): Promise<void> {
  switch (e.type) {
    case 'card':
      return applyCard(tx, e, changed)
    case 'reaction': {
      const store = tx.objectStore('reactions')
      if (await store.getKey([e.cardId, e.from, e.kind])) return
      await store.put({ cardId: e.cardId, from: e.from, kind: e.kind, block: e.block })
      const card = await tx.objectStore('cards').get(e.cardId)
      if (card) await bump(tx, changed, card, { reactions: card.reactions + 1 })
      return
    }
    case 'follow': {
      const store = tx.objectStore('follows')
      const old = await store.get([e.follower, e.creator])
      if (old && (old.block > e.block || (old.block === e.block && old.logIndex >= e.logIndex)))
        return
      await store.put({
        follower: e.follower,
        creator: e.creator,
        following: e.following ? 1 : 0,
        block: e.block,
        logIndex: e.logIndex,
      })
      return
    }
    case 'view': {
      const store = tx.objectStore('views')
      if (await store.getKey([e.cardId, e.viewer])) return
      await store.put({ cardId: e.cardId, viewer: e.viewer, at: e.at })
      const card = await tx.objectStore('cards').get(e.cardId)
      if (card) await bump(tx, changed, card, { views: card.views + 1 })
    }
  }
}

/**
 * Applies events in order in one transaction; returns the cards whose row changed.
 * @example const changed = await applyEvents(db, [{ type: 'card', id, creator, card, seenAt: Date.now() }])
 */
export async function applyEvents(db: FeedDb, events: FeedEvent[]): Promise<FeedCard[]> {
  if (events.length === 0) return []
  const tx = db.transaction([...STORES], 'readwrite') as Tx
  const changed = new Map<Hex, FeedCard>()
  for (const e of events) await applyOne(tx, e, changed)
  await tx.done
  return [...changed.values()]
}

/**
 * Undoes everything mined from `fromBlock` on (a reorg): those cards, reactions and follows
 * are dropped and re-read by the log sync. Counts of surviving cards are decremented.
 */
export async function rollbackFrom(db: FeedDb, fromBlock: number): Promise<void> {
  const tx = db.transaction([...STORES], 'readwrite') as Tx
  const range = IDBKeyRange.lowerBound(fromBlock)
  const cards = tx.objectStore('cards')
  for (const id of await cards.index('block').getAllKeys(range)) await cards.delete(id)
  const reactions = tx.objectStore('reactions')
  for (const r of await reactions.index('block').getAll(range)) {
    await reactions.delete([r.cardId, r.from, r.kind])
    const card = await cards.get(r.cardId)
    if (card)
      await cards.put(
        toRow({ ...fromRow(card), reactions: Math.max(0, card.reactions - 1) }, card.logIndex),
      )
  }
  const follows = tx.objectStore('follows')
  for (const f of await follows.index('block').getAll(range))
    await follows.delete([f.follower, f.creator])
  await tx.done
}
