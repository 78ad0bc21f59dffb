/**
 * The "needs seeders" lens (DESIGN §4.7: the seed's "find understored content"): top-level
 * cards with content that fewer than {@link FEW_SEEDERS} nodes seed, fewest first, then fewest
 * complete copies, then newest. Health comes from the availability map, live, so the lens is
 * computed per request over the newest {@link NEEDS_SEEDERS_SCAN} content cards (a bounded
 * scan of one index range) and paged by position: a page may repeat or skip a card whose
 * seeders changed since the page before, which a "refresh" sets right.
 */
import { FEW_SEEDERS, type FeedPage, type FeedQuery } from '../../shared/card/feed.ts'
import type { ItemHealthWire } from '../../shared/protocol/methods/availability.ts'
import { type CardRow, type FeedDb, fromRow } from './db.ts'
import { DEFAULT_PAGE, MAX_PAGE, scanBuckets } from './query.ts'

/** Content cards the lens weighs per request, newest first. */
export const NEEDS_SEEDERS_SCAN = 1_000

/** An item's health, or null when the node cannot say (no availability map). */
export type HealthOf = (infoHash: string) => ItemHealthWire | null

const offsetOf = (cursor: string | undefined): number => {
  const m = /^at:(\d{1,6})$/.exec(cursor ?? '')
  return m ? Number(m[1]) : 0
}

/** No one is known to seed it. */
const unseeded = (infoHash: string): ItemHealthWire => ({
  infoHash: infoHash.toLowerCase(),
  seeders: 0,
  completeCopies: 0,
  cheapestPrice: null,
  local: false,
  updatedAt: 0,
})

/**
 * One page of the lens; `q.access` and `q.tag` filter it as they filter other lenses.
 * @example const { items } = await needsSeedersPage(db, { lens: 'needs-seeders' }, (ih) => availability.health(ih))
 */
export async function needsSeedersPage(
  db: FeedDb,
  q: FeedQuery,
  health: HealthOf,
): Promise<FeedPage> {
  const limit = Math.min(Math.max(1, q.limit ?? DEFAULT_PAGE), MAX_PAGE)
  const at = offsetOf(q.cursor)
  const access = q.access ?? 'any'
  const tag = q.tag?.toLowerCase()
  const bucket = tag ? `tag:${tag}` : access === 'any' ? 'all' : `all:${access}`
  const keep = (r: CardRow): boolean =>
    !r.card.parent &&
    !!r.card.content?.infoHash &&
    (access === 'any' || (access === 'free') === !!r.card.access.free)
  const scan = await scanBuckets(db, 'new', [bucket], null, NEEDS_SEEDERS_SCAN, keep)
  const needy = scan.rows
    .map(({ row }) => {
      const ih = row.card.content?.infoHash as string
      return { card: fromRow(row), health: health(ih) ?? unseeded(ih) }
    })
    .filter((x) => x.health.seeders < FEW_SEEDERS)
  needy.sort(
    (a, b) =>
      a.health.seeders - b.health.seeders ||
      a.health.completeCopies - b.health.completeCopies ||
      b.card.postedAt - a.card.postedAt ||
      (a.card.id < b.card.id ? -1 : 1),
  )
  const items = needy.slice(at, at + limit).map((x) => ({ ...x.card, health: x.health }))
  return { items, next: at + limit < needy.length ? `at:${at + limit}` : null }
}
