/**
 * Who an address is (issue #18, "People"): its newest profile card. Among mined profile cards
 * the newest in chain order (block, then log index) wins, whatever times they claim; a
 * gossiped one not mined yet wins over them only when it claims a later time than the mined
 * winner (it is shown within a block of being posted, and a gossiped card that never gets
 * mined cannot hide the profiles mined after it, which claim later times). Only the address's
 * own key can sign its gossip or post its cards, so no one else can rename it.
 *
 * Both candidates are the last keys of two ranges of the `new` index (db.ts, profileKey), so
 * a lookup is two index steps however many profiles the address posted. A reorg needs nothing
 * here: rollback drops the undone cards, and the lookup finds the survivor.
 */
import type { Hex } from '../../shared/card/card.ts'
import type { Person } from '../../shared/card/feed.ts'
import type { CardRow, FeedDb } from './db.ts'

/** The most addresses one `feed.people` call resolves. */
export const MAX_PEOPLE = 200

/**
 * The profiles of `addresses` (lower-case hex), null where an address has none; in one
 * read transaction.
 * @example const [ada] = await profilesOf(db, ['0x12…'])
 */
export async function profilesOf(db: FeedDb, addresses: Hex[]): Promise<(Person | null)[]> {
  const tx = db.transaction('cards')
  const idx = tx.store.index('new')
  const last = async (lower: string): Promise<CardRow | undefined> =>
    (await idx.openCursor(IDBKeyRange.bound(lower, `${lower}\uffff`), 'prev'))?.value
  const found = await Promise.all(
    addresses.map(async (a) => {
      const [mined, pending] = await Promise.all([last(`profile:${a}|m`), last(`profile:${a}|p`)])
      return winner(mined, pending)
    }),
  )
  await tx.done
  return found.map((row) => (row ? personOf(row) : null))
}

function winner(mined: CardRow | undefined, pending: CardRow | undefined): CardRow | undefined {
  if (!pending) return mined
  if (!mined) return pending
  return pending.card.createdAt > mined.card.createdAt ? pending : mined
}

function personOf(row: CardRow): Person | null {
  const p = row.card.profile
  if (!p) return null
  return { ...p, address: row.creator, cardId: row.id, status: row.status }
}
