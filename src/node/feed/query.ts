/**
 * Lens pages and search over the feed database (DESIGN §4.2). A page is read backwards from
 * its cursor on one multi-entry index (see db.ts); lenses over several buckets (Following)
 * merge one cursor per bucket lazily. Filters the index cannot express (a tag inside a
 * lens, free/paid inside a creator) are applied while scanning, with a bounded scan.
 */
import type { IDBPCursorWithValue } from 'idb'
import type { Hex } from '../../shared/card/card.ts'
import type { FeedCard, FeedPage, FeedQuery, Sort } from '../../shared/card/feed.ts'
import { lensOfKind } from '../../shared/card/feed.ts'
import { type CardRow, type FeedDb, type FeedSchema, fromRow } from './db.ts'
import { queryTerms, TOKEN_SEP, termRange } from './tokens.ts'

export const DEFAULT_PAGE = 20
export const MAX_PAGE = 100
/** Index entries one page may pass over while filtering. */
const MAX_SCAN = 5_000

const INDEX: Record<Sort, 'new' | 'top' | 'hot'> = { new: 'new', top: 'top', trending: 'hot' }

type Position = { sv: string; id: string }

function encodeCursor(p: Position): string {
  return `${p.sv}~${p.id}`
}
function decodeCursor(s: string | undefined): Position | null {
  if (!s) return null
  const m = /^(\d{1,40})~(0x[0-9a-f]{64})$/.exec(s)
  return m ? { sv: m[1] as string, id: m[2] as string } : null
}

export type Hit = { row: CardRow; sv: string }
type Scan = { rows: Hit[]; exhausted: boolean; last: Position | null }
type Head = { cursor: Cursor; sv: string; prefix: number }
type Cursor = IDBPCursorWithValue<FeedSchema, ['cards'], 'cards', 'new' | 'top' | 'hot'>

/** Newer (greater) first: by sort value, then by id, as the index orders them backwards. */
const before = (a: Position, b: Position) => (a.sv === b.sv ? a.id > b.id : a.sv > b.sv)

/**
 * Reads `want` kept rows in index order (backwards) from the union of buckets: one cursor per
 * bucket on its key range, merged lazily, so k buckets cost k + want index steps, not
 * k × want. At most {@link MAX_SCAN} entries are passed over.
 */
export async function scanBuckets(
  db: FeedDb,
  index: 'new' | 'top' | 'hot',
  buckets: string[],
  after: Position | null,
  want: number,
  keep: (r: CardRow) => boolean,
): Promise<Scan> {
  const tx = db.transaction('cards')
  const idx = tx.store.index(index)
  const opened = await Promise.all(
    buckets.map((bucket) => {
      const lower = `${bucket}|`
      const upper = after ? `${bucket}|${after.sv}` : `${bucket}|\uffff`
      return idx.openCursor(IDBKeyRange.bound(lower, upper), 'prev')
    }),
  )
  const heads: Head[] = []
  const push = (cursor: Cursor | null, prefix: number) => {
    if (cursor) heads.push({ cursor, sv: (cursor.key as string).slice(prefix), prefix })
  }
  for (const [i, c] of opened.entries()) push(c, (buckets[i] as string).length + 1)
  const rows: Hit[] = []
  let scanned = 0
  let last: Position | null = null
  while (heads.length > 0 && rows.length < want && scanned < MAX_SCAN) {
    let best = 0
    for (let i = 1; i < heads.length; i++) {
      const h = heads[i] as Head
      const b = heads[best] as Head
      if (before({ sv: h.sv, id: h.cursor.primaryKey }, { sv: b.sv, id: b.cursor.primaryKey }))
        best = i
    }
    const head = heads.splice(best, 1)[0] as Head
    const pos = { sv: head.sv, id: head.cursor.primaryKey as string }
    scanned++
    if (!(after && pos.sv === after.sv && pos.id >= after.id)) {
      last = pos
      if (keep(head.cursor.value)) rows.push({ row: head.cursor.value, sv: pos.sv })
    }
    if (rows.length < want && scanned < MAX_SCAN) push(await head.cursor.continue(), head.prefix)
    else heads.push(head)
  }
  await tx.done.catch(() => {})
  return { rows, exhausted: heads.length === 0, last }
}

/** Who the viewer is and whom they follow (for Following and Library). */
export type QueryContext = { me?: Hex | undefined; following: () => Promise<Hex[]> }

/**
 * One page of a lens, a creator's cards or a card's comments.
 * @example const { items, next } = await queryFeed(db, { lens: 'photos', sort: 'new' }, ctx)
 */
export async function queryFeed(db: FeedDb, q: FeedQuery, ctx: QueryContext): Promise<FeedPage> {
  const limit = Math.min(Math.max(1, q.limit ?? DEFAULT_PAGE), MAX_PAGE)
  const index = INDEX[q.sort ?? 'new']
  const after = decodeCursor(q.cursor)
  const access = q.access ?? 'any'
  const tag = q.tag?.toLowerCase()
  let buckets: string[]
  if (q.parent) buckets = [`parent:${q.parent.toLowerCase()}`]
  else if (q.creator) buckets = [`creator:${q.creator.toLowerCase()}`]
  else if (q.lens === 'following') buckets = (await ctx.following()).map((a) => `creator:${a}`)
  else if (q.lens === 'library') buckets = ctx.me ? [`creator:${ctx.me}`] : []
  else if (tag) buckets = [`tag:${tag}`]
  else buckets = [access === 'any' ? q.lens : `${q.lens}:${access}`]

  const byBucket = !q.parent && (q.creator || q.lens === 'following' || q.lens === 'library')
  const keep = (r: CardRow): boolean => {
    if (q.parent) return true
    if (r.card.parent) return false
    if (access !== 'any' && (access === 'free') !== !!r.card.access.free) return false
    if ((byBucket || tag) && !['all', 'following', 'library'].includes(q.lens)) {
      if (lensOfKind(r.card.kind) !== q.lens) return false
    }
    if (tag && byBucket && !r.card.tags.some((t) => t.toLowerCase() === tag)) return false
    return true
  }
  const scan = await scanBuckets(db, index, buckets, after, limit, keep)
  const items = scan.rows
  let next: string | null = null
  const lastItem = items[items.length - 1]
  if (items.length === limit && lastItem)
    next = encodeCursor({ sv: lastItem.sv, id: lastItem.row.id })
  else if (!scan.exhausted && scan.last) next = encodeCursor(scan.last) // the scan bound stopped early: the UI asks again
  return { items: items.map((x) => fromRow(x.row)), next }
}

/**
 * Postings read per term. A term with more is "common" (a stop-word by document frequency):
 * it never generates candidates while a rarer term exists, and is checked on the candidate
 * rows instead; the newest postings come first (see tokens.ts), so a search made only of
 * common terms ranks the newest matches.
 */
export const SEARCH_POSTINGS = 400
/** Candidate rows one search loads and ranks at most. */
export const SEARCH_CANDIDATES = 64
/**
 * Up to this many candidates are read one by one; more are read in one request from the
 * rarest term's range (a row read costs a round trip each, a range read one for all).
 */
const READ_ONE_BY_ONE = 32

/**
 * Searches titles, text, excerpts and tags (the last word as a prefix): each term's postings
 * are read with a bound, the complete (rare) lists are intersected smallest first, the
 * candidates are loaded (bounded) and checked against every term, and the hits are ranked by
 * how many terms hit the title, then by engagement, then by time.
 * @example const cards = await searchCards(db, 'harbour sun', 20)
 */
export async function searchCards(
  db: FeedDb,
  q: string,
  limit = DEFAULT_PAGE,
): Promise<FeedCard[]> {
  const terms = queryTerms(q)
  if (terms.length === 0) return []
  const isPrefix = (t: string, i: number) => i === terms.length - 1 && !t.startsWith('#')
  const tx = db.transaction('cards')
  const idx = tx.store.index('tokens')
  const postings = await Promise.all(
    terms.map((t, i) => idx.getAllKeys(termRange(t, isPrefix(t, i)), SEARCH_POSTINGS)),
  )
  // Smallest first; a list that hit the bound is incomplete and cannot be intersected.
  const order = postings.map((p, i) => ({ ids: p, i })).sort((a, b) => a.ids.length - b.ids.length)
  const first = order[0]
  if (!first || first.ids.length === 0) {
    await tx.done
    return []
  }
  let candidates = [...new Set(first.ids)]
  for (const { ids } of order.slice(1)) {
    if (ids.length >= SEARCH_POSTINGS) break
    const set = new Set(ids)
    candidates = candidates.filter((id) => set.has(id))
    if (candidates.length === 0) break
  }
  let loaded: (CardRow | undefined)[]
  if (candidates.length <= READ_ONE_BY_ONE)
    loaded = await Promise.all(candidates.map((id) => tx.store.get(id)))
  else {
    const wanted = new Set(candidates)
    const range = termRange(terms[first.i] as string, isPrefix(terms[first.i] as string, first.i))
    // A prefix range may hold a card under two terms: `wanted` lets each through once.
    loaded = (await idx.getAll(range, SEARCH_CANDIDATES)).filter((r) => wanted.delete(r.id))
  }
  const rows = loaded.filter((r): r is CardRow => !!r && !r.card.parent)
  await tx.done
  const matches = (r: CardRow, t: string, i: number) => {
    const p = isPrefix(t, i) ? t : `${t}${TOKEN_SEP}`
    return r.tokens.some((k) => k.startsWith(p))
  }
  const hits = rows.filter((r) => terms.every((t, i) => matches(r, t, i)))
  const titleHits = (r: CardRow) => {
    const title = r.card.title.toLowerCase()
    return terms.filter((t) => title.includes(t.replace(/^#/, ''))).length
  }
  hits.sort(
    (a, b) =>
      titleHits(b) - titleHits(a) ||
      b.reactions + b.comments - (a.reactions + a.comments) ||
      b.postedAt - a.postedAt,
  )
  return hits.slice(0, limit).map(fromRow)
}
