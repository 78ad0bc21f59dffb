/**
 * Writes into the feed database: cards (from gossip or the chain), reactions, follows and
 * views. Every write is idempotent, because log sync delivers at least once and gossip
 * repeats: a card is keyed by its id, a reaction by (card, account, kind), a view by (card,
 * account), a follow by (follower, creator) and applied only when it is newer in chain order.
 * A verified view (a key purchase) upgrades the same account's gossiped view: `views` counts
 * accounts, `verifiedViews` those among them that bought.
 *
 * A batch is applied in three steps in one transaction per chunk: every row the batch needs is
 * read at once (the requests pipelined, no read waits for another), the events are applied in
 * order to those rows in memory (counters included), and each changed row is written once.
 * A card that gets a reaction in the same batch is therefore written once, not twice.
 */
import type { IDBPTransaction } from 'idb'
import type { Card, Hex } from '../../shared/card/card.ts'
import type { FeedCard } from '../../shared/card/feed.ts'
import { AbortedError } from '../../shared/errors/common.ts'
import {
  type CardRow,
  type FeedDb,
  type FeedSchema,
  fromRow,
  type OrphanRow,
  toRow,
  type ViewRow,
} from './db.ts'

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
  | {
      type: 'view'
      cardId: Hex
      viewer: Hex
      /** Unix seconds. */
      at: number
      /** A key purchase read from the chain (with its block), not a gossiped receipt. */
      verified?: boolean | undefined
      block?: number | undefined
    }

const STORES = ['cards', 'reactions', 'follows', 'views', 'orphans'] as const
type Tx = IDBPTransaction<FeedSchema, (typeof STORES)[number][], 'readwrite'>

/** Events per transaction: big enough to amortise a commit, small enough not to stall reads. */
export const APPLY_CHUNK = 2_500

type Slot = { card: FeedCard; logIndex: number | undefined; dirty: boolean }
type FollowRow = FeedSchema['follows']['value']

/** What a chunk needs from the database, read in one pipelined round. */
type Loaded = {
  cards: Map<Hex, Slot | null>
  reactions: Set<string>
  /** Views present, by key: whether each is verified. */
  views: Map<string, boolean>
  follows: Map<string, FollowRow | undefined>
  orphans: Map<Hex, OrphanRow & { dirty: boolean; gone: boolean }>
}

const rKey = (cardId: Hex, from: Hex, kind: number) => `${cardId}|${from}|${kind}`
const vKey = (cardId: Hex, viewer: Hex) => `${cardId}|${viewer}`
const fKey = (follower: Hex, creator: Hex) => `${follower}|${creator}`

async function load(tx: Tx, events: FeedEvent[]): Promise<Loaded> {
  const ids = new Set<Hex>()
  const reactions = new Map<string, [Hex, Hex, number]>()
  const views = new Map<string, [Hex, Hex]>()
  const follows = new Map<string, [Hex, Hex]>()
  for (const e of events) {
    if (e.type === 'card') {
      ids.add(e.id)
      if (e.card.parent) ids.add(e.card.parent)
    } else if (e.type === 'reaction') {
      ids.add(e.cardId)
      reactions.set(rKey(e.cardId, e.from, e.kind), [e.cardId, e.from, e.kind])
    } else if (e.type === 'view') {
      ids.add(e.cardId)
      views.set(vKey(e.cardId, e.viewer), [e.cardId, e.viewer])
    } else follows.set(fKey(e.follower, e.creator), [e.follower, e.creator])
  }
  const idList = [...ids]
  const cards = tx.objectStore('cards')
  const orphanStore = tx.objectStore('orphans')
  // Orphans are rare: when there are none (the usual case) no card pays a lookup for them.
  const anyOrphans = (await orphanStore.count()) > 0
  const [rows, orphanRows, rHits, vRows, fRows] = await Promise.all([
    Promise.all(idList.map((id) => cards.get(id))),
    anyOrphans ? Promise.all(idList.map((id) => orphanStore.get(id))) : [],
    Promise.all([...reactions.values()].map((k) => tx.objectStore('reactions').getKey(k))),
    Promise.all([...views.values()].map((k) => tx.objectStore('views').get(k))),
    Promise.all([...follows.values()].map((k) => tx.objectStore('follows').get(k))),
  ])
  const loaded: Loaded = {
    cards: new Map(),
    reactions: new Set([...reactions.keys()].filter((_, i) => rHits[i] !== undefined)),
    views: new Map(
      [...views.keys()].flatMap((k, i) => {
        const row = vRows[i]
        return row ? [[k, row.verified === 1] as const] : []
      }),
    ),
    follows: new Map([...follows.keys()].map((k, i) => [k, fRows[i]])),
    orphans: new Map(),
  }
  idList.forEach((id, i) => {
    const r = rows[i] as CardRow | undefined
    loaded.cards.set(id, r ? { card: fromRow(r), logIndex: r.logIndex, dirty: false } : null)
    const o = orphanRows[i]
    if (o) loaded.orphans.set(id, { ...o, dirty: false, gone: false })
  })
  return loaded
}

function orphanOf(s: Loaded, id: Hex) {
  let o = s.orphans.get(id)
  if (!o) {
    o = { id, comments: 0, reactions: 0, views: 0, verifiedViews: 0, dirty: false, gone: false }
    s.orphans.set(id, o)
  }
  o.dirty = true
  o.gone = false
  return o
}

type Counter = 'comments' | 'reactions' | 'views' | 'verifiedViews'

/** Counts one more comment, reaction or view on a card, or on its orphan row. */
function bump(s: Loaded, id: Hex, field: Counter) {
  const slot = s.cards.get(id)
  if (slot) {
    slot.card = { ...slot.card, [field]: slot.card[field] + 1 }
    slot.dirty = true
  } else {
    const o = orphanOf(s, id)
    o[field] = (o[field] ?? 0) + 1
  }
}

function applyCard(s: Loaded, e: Extract<FeedEvent, { type: 'card' }>) {
  const slot = s.cards.get(e.id)
  const mined = e.block !== undefined
  if (slot) {
    if (!mined || slot.card.status === 'mined') return
    // The chain confirms a gossiped card; the chain's creator is the truth.
    slot.card = { ...slot.card, status: 'mined', block: e.block, creator: e.creator }
    slot.logIndex = e.logIndex
    slot.dirty = true
    return
  }
  const o = s.orphans.get(e.id)
  const card: FeedCard = {
    id: e.id,
    creator: e.creator,
    card: e.card,
    status: mined ? 'mined' : 'pending',
    ...(mined ? { block: e.block } : {}),
    postedAt: Math.min(e.card.createdAt * 1000, e.seenAt),
    reactions: o && !o.gone ? o.reactions : 0,
    comments: o && !o.gone ? o.comments : 0,
    views: o && !o.gone ? o.views : 0,
    verifiedViews: o && !o.gone ? (o.verifiedViews ?? 0) : 0,
  }
  if (o) {
    o.gone = true
    o.dirty = true
  }
  s.cards.set(e.id, { card, logIndex: e.logIndex, dirty: true })
  if (e.card.parent) bump(s, e.card.parent, 'comments')
}

function applyOne(s: Loaded, e: FeedEvent): void {
  switch (e.type) {
    case 'card':
      applyCard(s, e)
      return
    case 'reaction': {
      const k = rKey(e.cardId, e.from, e.kind)
      if (s.reactions.has(k)) return
      s.reactions.add(k)
      bump(s, e.cardId, 'reactions')
      return
    }
    case 'view': {
      const k = vKey(e.cardId, e.viewer)
      const was = s.views.get(k)
      if (was === undefined) bump(s, e.cardId, 'views')
      else if (was || !e.verified) return
      s.views.set(k, e.verified === true)
      if (e.verified) bump(s, e.cardId, 'verifiedViews')
      return
    }
    case 'follow': {
      const k = fKey(e.follower, e.creator)
      const old = s.follows.get(k)
      if (old && (old.block > e.block || (old.block === e.block && old.logIndex >= e.logIndex)))
        return
      s.follows.set(k, {
        follower: e.follower,
        creator: e.creator,
        following: e.following ? 1 : 0,
        block: e.block,
        logIndex: e.logIndex,
      })
    }
  }
}

/** Applies one chunk in one transaction. */
async function applyChunk(db: FeedDb, events: FeedEvent[], changed: Map<Hex, FeedCard>) {
  const tx = db.transaction([...STORES], 'readwrite') as Tx
  const writes: Promise<unknown>[] = []
  try {
    const s = await load(tx, events)
    const before = { reactions: new Set(s.reactions), views: new Map(s.views) }
    const followsBefore = new Map(s.follows)
    for (const e of events) applyOne(s, e)
    // Every write is issued at once; the transaction commits when they are done.
    const cards = tx.objectStore('cards')
    for (const [id, slot] of s.cards) {
      if (!slot?.dirty) continue
      writes.push(cards.put(toRow(slot.card, slot.logIndex)))
      changed.set(id, slot.card)
    }
    for (const e of events) {
      if (e.type === 'reaction' && !before.reactions.has(rKey(e.cardId, e.from, e.kind))) {
        before.reactions.add(rKey(e.cardId, e.from, e.kind))
        writes.push(
          tx
            .objectStore('reactions')
            .put({ cardId: e.cardId, from: e.from, kind: e.kind, block: e.block }),
        )
      }
    }
    // One write per view whose state changed: the purchase's row when it ends verified,
    // else the first receipt.
    const viewRows = new Map<string, ViewRow>()
    for (const e of events) {
      if (e.type !== 'view') continue
      const k = vKey(e.cardId, e.viewer)
      const verified = s.views.get(k) === true
      if (before.views.has(k) && before.views.get(k) === verified) continue
      if (verified ? !e.verified : viewRows.has(k)) continue
      viewRows.set(k, {
        cardId: e.cardId,
        viewer: e.viewer,
        at: e.at,
        ...(e.verified ? { verified: 1 as const, block: e.block } : {}),
      })
    }
    for (const row of viewRows.values()) writes.push(tx.objectStore('views').put(row))
    for (const [k, row] of s.follows)
      if (row && row !== followsBefore.get(k)) writes.push(tx.objectStore('follows').put(row))
    const orphans = tx.objectStore('orphans')
    for (const o of s.orphans.values()) {
      if (!o.dirty) continue
      const { dirty: _d, gone, ...row } = o
      writes.push(gone ? orphans.delete(o.id) : orphans.put(row))
    }
  } catch (err) {
    tx.abort()
    await Promise.allSettled([...writes, tx.done])
    throw err
  }
  await Promise.all([...writes, tx.done])
}

/**
 * Applies events in order, in transactions of {@link APPLY_CHUNK} events; returns the cards
 * whose row changed (their final state).
 * @example const changed = await applyEvents(db, [{ type: 'card', id, creator, card, seenAt: Date.now() }])
 */
export async function applyEvents(
  db: FeedDb,
  events: FeedEvent[],
  options: { signal?: AbortSignal | undefined } = {},
): Promise<FeedCard[]> {
  const changed = new Map<Hex, FeedCard>()
  for (let i = 0; i < events.length; i += APPLY_CHUNK) {
    if (options.signal?.aborted) throw new AbortedError('Feed indexing was cancelled.')
    await applyChunk(db, events.slice(i, i + APPLY_CHUNK), changed)
  }
  return [...changed.values()]
}

/**
 * Undoes everything mined from `fromBlock` on (a reorg): those cards, reactions, follows and
 * verified views are dropped and re-read by the log sync (a receipt that a dropped purchase
 * had upgraded goes with it: views may undercount by that account until it views again). Counts of surviving cards are decremented; what
 * survivors (pending comments, views) pointed at a dropped card is kept as its orphan row.
 */
export async function rollbackFrom(db: FeedDb, fromBlock: number): Promise<void> {
  const tx = db.transaction([...STORES], 'readwrite') as Tx
  const range = IDBKeyRange.lowerBound(fromBlock)
  const cards = tx.objectStore('cards')
  const dropped = await cards.index('block').getAllKeys(range)
  for (const id of dropped) await cards.delete(id)
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
  const views = tx.objectStore('views')
  for (const v of await views.index('block').getAll(range)) {
    await views.delete([v.cardId, v.viewer])
    const card = await cards.get(v.cardId)
    if (card) {
      const c = fromRow(card)
      const next = {
        ...c,
        views: Math.max(0, c.views - 1),
        verifiedViews: Math.max(0, c.verifiedViews - 1),
      }
      await cards.put(toRow(next, card.logIndex))
    }
  }
  for (const id of dropped) {
    const [comments, reactionsLeft, views] = await Promise.all([
      cards.index('new').count(IDBKeyRange.bound(`parent:${id}|`, `parent:${id}|\uffff`)),
      reactions.count(IDBKeyRange.bound([id, '', 0], [id, '\uffff', 255])),
      tx.objectStore('views').count(IDBKeyRange.bound([id, ''], [id, '\uffff'])),
    ])
    if (comments + reactionsLeft + views > 0)
      await tx.objectStore('orphans').put({ id, comments, reactions: reactionsLeft, views })
  }
  await tx.done
}
