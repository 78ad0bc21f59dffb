/**
 * The feed's IndexedDB (idb): cards with one multi-entry index per sort order, engagement
 * (reactions, follows, views) and a small meta store.
 *
 * Each card carries, per sort, a list of string keys `bucket|sortValue` — one per bucket it
 * belongs to (`all`, `all:free`, `photos`, `photos:paid`, `creator:0x…`, `tag:cats`,
 * `parent:0x…`). A lens page is then one key range on one index, read backwards from a
 * cursor: no lens ever loads more than a page.
 *
 * A profile card is listed in one bucket only, `profile:0x…`, and under a chain-order key
 * ({@link profileKey}) instead of its time: it is never a lens's card, and the newest profile
 * of an address is the last key of its range (profiles.ts).
 */
import {
  type DBSchema,
  type IDBPDatabase,
  type IDBPObjectStore,
  openDB,
  type StoreNames,
} from 'idb'
import type { Hex } from '../../shared/card/card.ts'
import { type FeedCard, lensOfKind } from '../../shared/card/feed.ts'
import { tokenize, tokenKey } from './tokens.ts'

/** A card row: the FeedCard plus its index keys. */
export type CardRow = FeedCard & {
  logIndex?: number | undefined
  kNew: string[]
  kTop: string[]
  kHot: string[]
  tokens: string[]
}

export type ReactionRow = { cardId: Hex; from: Hex; kind: number; block: number }
export type FollowRow = {
  follower: Hex
  creator: Hex
  following: 0 | 1
  block: number
  logIndex: number
}
/**
 * A view by one account: a gossiped receipt, or (`verified`, with the `block` it was mined in)
 * a key purchase read from the KeyMarket, which upgrades a receipt of the same account.
 */
export type ViewRow = { cardId: Hex; viewer: Hex; at: number; verified?: 1; block?: number }
/**
 * Engagement that arrived before its card (a comment, reaction or view gossiped or mined
 * ahead of the card it points at): taken over, and deleted, when the card is indexed. This
 * spares every new card the range counts it would otherwise need.
 */
export type OrphanRow = {
  id: Hex
  comments: number
  reactions: number
  views: number
  verifiedViews?: number
}

export interface FeedSchema extends DBSchema {
  cards: {
    key: Hex
    value: CardRow
    indexes: { new: string; top: string; hot: string; tokens: string; block: number }
  }
  reactions: { key: [Hex, Hex, number]; value: ReactionRow; indexes: { block: number } }
  follows: {
    key: [Hex, Hex]
    value: FollowRow
    indexes: { creator: [Hex, number]; follower: [Hex, number]; block: number }
  }
  views: { key: [Hex, Hex]; value: ViewRow; indexes: { block: number } }
  orphans: { key: Hex; value: OrphanRow }
  meta: { key: string; value: unknown }
}

export type FeedDb = IDBPDatabase<FeedSchema>

export const FEED_DB = 'hashcard-feed'

/**
 * Opens (creating or upgrading if needed) the feed database. Version 2 added the orphans
 * store and the time-ordered token keys; rows of version 1 are rebuilt in the upgrade.
 * Version 3 indexes verified views by block (reorgs drop them); the feed's log cursor changes
 * with it (it now also reads the KeyMarket), so purchases already mined are read again.
 */
export function openFeedDb(name = FEED_DB): Promise<FeedDb> {
  return openDB<FeedSchema>(name, 3, {
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) createV1(db)
      if (oldVersion < 2) {
        db.createObjectStore('orphans', { keyPath: 'id' })
        if (oldVersion >= 1) void rebuildRows(tx.objectStore('cards'))
      }
      if (oldVersion < 3) tx.objectStore('views').createIndex('block', 'block')
    },
  })
}

async function rebuildRows(
  store: IDBPObjectStore<FeedSchema, ArrayLike<StoreNames<FeedSchema>>, 'cards', 'versionchange'>,
) {
  for (let c = await store.openCursor(); c; c = await c.continue())
    await c.update(toRow(fromRow(c.value), c.value.logIndex))
}

function createV1(db: IDBPDatabase<FeedSchema>) {
  const cards = db.createObjectStore('cards', { keyPath: 'id' })
  cards.createIndex('new', 'kNew', { multiEntry: true })
  cards.createIndex('top', 'kTop', { multiEntry: true })
  cards.createIndex('hot', 'kHot', { multiEntry: true })
  cards.createIndex('tokens', 'tokens', { multiEntry: true })
  cards.createIndex('block', 'block')
  const reactions = db.createObjectStore('reactions', { keyPath: ['cardId', 'from', 'kind'] })
  reactions.createIndex('block', 'block')
  const follows = db.createObjectStore('follows', { keyPath: ['follower', 'creator'] })
  follows.createIndex('creator', ['creator', 'following'])
  follows.createIndex('follower', ['follower', 'following'])
  follows.createIndex('block', 'block')
  db.createObjectStore('views', { keyPath: ['cardId', 'viewer'] })
  db.createObjectStore('meta')
}

const pad = (n: number, width: number) => Math.max(0, Math.floor(n)).toString().padStart(width, '0')

/**
 * Reddit-style "hot": log-scaled engagement plus time, so it never needs recomputing. A bought
 * key weighs like a comment: it cost the viewer something.
 */
export function hotScore(
  c: Pick<FeedCard, 'reactions' | 'comments' | 'views' | 'verifiedViews' | 'postedAt'>,
) {
  const score = c.reactions + 2 * c.comments + 0.1 * c.views + 2 * c.verifiedViews
  return Math.log10(Math.max(1, score + 1)) + c.postedAt / 1000 / 45_000
}

/** The buckets a card is listed in. */
export function bucketsOf(c: FeedCard): string[] {
  if (c.card.kind === 'profile') return [`profile:${c.creator}`]
  const creator = `creator:${c.creator}`
  if (c.card.parent) return [`parent:${c.card.parent}`, creator]
  const access = c.card.access.free ? 'free' : 'paid'
  const lens = lensOfKind(c.card.kind)
  return [
    'all',
    `all:${access}`,
    lens,
    `${lens}:${access}`,
    creator,
    ...c.card.tags.map((t) => `tag:${t.toLowerCase()}`),
  ]
}

/**
 * A profile card's key in its `profile:` bucket: mined cards in chain order (`m` block, log
 * index), gossiped ones after them by their claimed time (`p` createdAt).
 */
export function profileKey(c: FeedCard, logIndex: number | undefined): string {
  return c.status === 'mined' && c.block !== undefined
    ? `m${pad(c.block, 12)}${pad(logIndex ?? 0, 6)}`
    : `p${pad(c.card.createdAt, 12)}`
}

/** Builds the row (index keys included) for a card. */
export function toRow(card: FeedCard, logIndex?: number): CardRow {
  // Health is live (the availability map), added to answers, never stored.
  const { health: _health, ...c } = card
  const buckets = bucketsOf(c)
  if (c.card.kind === 'profile')
    return {
      ...c,
      ...(logIndex !== undefined ? { logIndex } : {}),
      kNew: buckets.map((b) => `${b}|${profileKey(c, logIndex)}`),
      kTop: [],
      kHot: [],
      tokens: [],
    }
  const t = pad(c.postedAt, 15)
  const newKey = `${t}`
  const topKey = `${pad(c.reactions + c.comments, 10)}${t}`
  const hotKey = pad(hotScore(c) * 1e6, 16)
  return {
    ...c,
    ...(logIndex !== undefined ? { logIndex } : {}),
    kNew: buckets.map((b) => `${b}|${newKey}`),
    kTop: buckets.map((b) => `${b}|${topKey}`),
    kHot: buckets.map((b) => `${b}|${hotKey}`),
    tokens: tokenize(
      [c.card.title, c.card.text ?? '', c.card.preview?.excerpt ?? ''].join(' '),
      c.card.tags,
    ).map((term) => tokenKey(term, c.postedAt)),
  }
}

/** The public FeedCard of a row (index keys left out). */
export function fromRow(r: CardRow): FeedCard {
  const { kNew: _n, kTop: _t, kHot: _h, tokens: _k, logIndex: _l, ...card } = r
  // Rows written before version 3 have no verified views.
  return { ...card, verifiedViews: card.verifiedViews ?? 0 }
}
