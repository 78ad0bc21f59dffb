/** Whether a card pushed by the node belongs in the list a view shows. */
import type { FeedCard, FeedQuery } from '../../shared/card/feed.ts'
import { lensOfKind } from '../../shared/card/feed.ts'

export function matchesQuery(c: FeedCard, q: FeedQuery, me: string | undefined): boolean {
  if (q.parent) return c.card.parent === q.parent
  if (c.card.parent) return false
  if (q.creator) return c.creator === q.creator.toLowerCase()
  if (q.access === 'free' && !c.card.access.free) return false
  if (q.access === 'paid' && c.card.access.free) return false
  if (q.tag && !c.card.tags.some((t) => t.toLowerCase() === q.tag?.toLowerCase())) return false
  if (q.lens === 'library') return c.creator === me?.toLowerCase()
  if (q.lens === 'following') return false // followed creators' cards arrive with the next page
  if (q.lens === 'needs-seeders') return false // its order is by seeders: the next read places it
  return q.lens === 'all' || lensOfKind(c.card.kind) === q.lens
}
