/**
 * The swarm health of the cards a view shows (DESIGN §4.7): the node answers each card with
 * its content's health (`FeedCard.health`), and this re-reads it with `seed.health` every few
 * seconds while the view is open, so a seeder joining or leaving shows without a reload.
 */
import type { FeedCard } from '../../shared/card/feed.ts'
import {
  type ItemHealthWire,
  MAX_HEALTH_QUERY,
} from '../../shared/protocol/methods/availability.ts'
import type { Rpc } from '../lib/rpc-client.ts'

/** How often the shown cards' health is re-read (ms); announcements come once a minute. */
export const HEALTH_REFRESH_MS = 5_000

const keyOf = (item: FeedCard): string | undefined => item.card.content?.infoHash?.toLowerCase()

export class HealthWatch {
  /** infoHash (0x, lowercase) → its latest health. */
  byHash = $state<Record<string, ItemHealthWire>>({})
  #hashes: string[] = []

  constructor(private readonly rpc: Rpc) {}

  /** Re-reads on a timer; returns the stop function (for `$effect`). */
  start(): () => void {
    const timer = setInterval(() => void this.refresh(), HEALTH_REFRESH_MS)
    return () => clearInterval(timer)
  }

  /** Follows the content of these cards from now on (the view's list changed). */
  watch(items: readonly FeedCard[]): void {
    const hashes = new Set<string>()
    for (const item of items) {
      const k = keyOf(item)
      if (k) hashes.add(k)
    }
    this.#hashes = [...hashes].slice(0, MAX_HEALTH_QUERY)
  }

  /** A card's health: the latest read, else what the card came with. */
  of(item: FeedCard): ItemHealthWire | undefined {
    const k = keyOf(item)
    return (k && this.byHash[k]) || item.health
  }

  async refresh(): Promise<void> {
    if (this.#hashes.length === 0) return
    const list = await this.rpc.call('seed.health', { infoHashes: this.#hashes }).catch(() => null) // a node restarting: the next read catches up
    if (!list) return
    const next = { ...this.byHash }
    for (const h of list) next[h.infoHash] = h
    this.byHash = next
  }
}
