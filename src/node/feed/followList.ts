/**
 * Lists of who follows an address and whom it follows (a profile page's lists), from the
 * follows the indexer keeps (a row per pair, its latest Followed/Unfollowed in chain order).
 */

import type { Hex } from '../../shared/card/card.ts'
import { InvalidInputError } from '../../shared/errors/common.ts'
import type { FeedDb } from './db.ts'

/** The longest list one call returns (the count on the profile is exact beyond it). */
export const MAX_FOLLOW_LIST = 200
/** Rows read to pick the newest `limit` from (follows are indexed by address, not time). */
const FOLLOW_SCAN = 2_000

/**
 * `followers` of `address`, or whom it is `following`: the newest follows first.
 * @example const fans = await followList(db, '0x12…', 'followers', 50)
 */
export async function followList(
  db: FeedDb,
  address: Hex,
  side: 'followers' | 'following',
  limit = MAX_FOLLOW_LIST,
): Promise<Hex[]> {
  if (side !== 'followers' && side !== 'following')
    throw new InvalidInputError('side: expected "followers" or "following".', { details: side })
  const n = Math.min(Math.max(1, Math.floor(Number(limit) || 0)), MAX_FOLLOW_LIST)
  const index = side === 'followers' ? 'creator' : 'follower'
  const rows = await db.getAllFromIndex('follows', index, [address, 1], FOLLOW_SCAN)
  rows.sort((a, b) => b.block - a.block || b.logIndex - a.logIndex)
  return rows.slice(0, n).map((r) => (side === 'followers' ? r.follower : r.creator))
}
