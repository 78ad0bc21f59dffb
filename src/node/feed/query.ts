/**
 * Lens pages and search over the feed database (DESIGN §4.2). A page is read backwards from
 * its cursor on one multi-entry index (see db.ts); lenses over several buckets (Following,
 * Library) merge one short read per bucket. Filters the index cannot express (a tag inside a
 * lens, free/paid inside a creator) are applied while scanning, with a bounded scan.
 */
import type { Hex } from '../../shared/card/card.ts'
import type { FeedCard, FeedPage, FeedQuery, Sort } from '../../shared/card/feed.ts'
import { lensOfKind } from '../../shared/card/feed.ts'
import { type CardRow, type FeedDb, fromRow } from './db.ts'
import { queryTerms } from './tokens.ts'

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

type Scan = { rows: { row: CardRow; sv: string }[]; exhausted: boolean; last: Position | null }

async function scanBucket(
  db: FeedDb,
  index: 'new' | 'top' | 'hot',
  bucket: string,
  after: Position | null,
  want: number,
  keep: (r: CardRow) => boolean,
): Promise<Scan> {
  const lower = `${bucket}|`
  const upper = after ? `${bucket}|${after.sv}` : `${bucket}|\uffff`
  const range = IDBKeyRange.bound(lower, upper)
  const tx = db.transaction('cards')
  let cursor = await tx.store.index(index).openCursor(range, 'prev')
  const rows: Scan['rows'] = []
  let scanned = 0
  let last: Position | null = null
  while (cursor && rows.length < want && scanned < MAX_SCAN) {
    const sv = (cursor.key as string).slice(lower.length)
    const id = cursor.primaryKey
    scanned++
    if (!(after && sv === after.sv && id >= after.id)) {
      last = { sv, id }
      if (keep(cursor.value)) rows.push({ row: cursor.value, sv })
    }
    cursor = await cursor.continue()
  }
  await tx.done.catch(() => {})
  return { rows, exhausted: !cursor, last }
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
  const scans = await Promise.all(buckets.map((b) => scanBucket(db, index, b, after, limit, keep)))
  const merged = scans
    .flatMap((s) => s.rows)
    .sort((a, b) => (a.sv === b.sv ? (a.row.id < b.row.id ? 1 : -1) : a.sv < b.sv ? 1 : -1))
  const items = merged.slice(0, limit)
  let next: string | null = null
  const lastItem = items[items.length - 1]
  if (items.length === limit && lastItem)
    next = encodeCursor({ sv: lastItem.sv, id: lastItem.row.id })
  else if (buckets.length === 1 && scans[0] && !scans[0].exhausted && scans[0].last)
    next = encodeCursor(scans[0].last) // the scan bound stopped early: the UI asks again
  return { items: items.map((x) => fromRow(x.row)), next }
}

/**
 * Searches titles, text, excerpts and tags: the rarest term is read from the token index
 * (the last term as a prefix), the other terms filter those rows; ranked by how many terms
 * hit the title, then by engagement, then by time.
 */
export async function searchCards(
  db: FeedDb,
  q: string,
  limit = DEFAULT_PAGE,
): Promise<FeedCard[]> {
  const terms = queryTerms(q)
  if (terms.length === 0) return []
  const ranges = terms.map((t, i) =>
    i === terms.length - 1 && !t.startsWith('#')
      ? IDBKeyRange.bound(t, `${t}\uffff`)
      : IDBKeyRange.only(t),
  )
  const tx = db.transaction('cards')
  const idx = tx.store.index('tokens')
  const counts = await Promise.all(ranges.map((r) => idx.count(r)))
  let rarest = 0
  counts.forEach((c, i) => {
    if (c < (counts[rarest] as number)) rarest = i
  })
  if (counts[rarest] === 0) return []
  const ids = [...new Set(await idx.getAllKeys(ranges[rarest], MAX_SCAN))]
  const rows = (await Promise.all(ids.map((id) => tx.store.get(id)))).filter(
    (r): r is CardRow => !!r && !r.card.parent,
  )
  await tx.done
  const matches = (r: CardRow, t: string, i: number) =>
    i === terms.length - 1 && !t.startsWith('#')
      ? r.tokens.some((k) => k.startsWith(t))
      : r.tokens.includes(t)
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
