/**
 * Which items this node is using (DESIGN §4.7): the personal node never evicts an item being
 * played, and values items by how recently they were used. The swarm marks an item used on
 * every read the player or the Service Worker makes of it (a slice wait, a playhead, a
 * position), so "playing" means "used within the last {@link PLAYING_MS}".
 */

/**
 * How long after its last read an item still counts as playing. Chromium reads ≈ 6 MB ahead
 * and then nothing until the play head catches up (PLATFORM.md), which at a low bitrate is a
 * minute or more; a paused player sends no reads at all. Two minutes covers the read-ahead
 * gap, and a paused item left longer is fair game again.
 */
export const PLAYING_MS = 120_000

/** Last-use times per item, in memory (a reload starts from each item's creation time). */
export class UseTracker {
  private readonly last = new Map<string, number>()

  constructor(private readonly now: () => number = Date.now) {}

  /** The item was read or played just now. */
  touch(itemId: string): void {
    this.last.set(itemId, this.now())
  }

  /** When the item was last used this session (ms since the epoch); 0 if not yet. */
  lastUsed(itemId: string): number {
    return this.last.get(itemId) ?? 0
  }

  /** Items used within the last `windowMs`. */
  playing(windowMs = PLAYING_MS): Set<string> {
    const since = this.now() - windowMs
    const out = new Set<string>()
    for (const [id, at] of this.last) if (at >= since) out.add(id)
    return out
  }

  /** Forgets an item (it was evicted or removed). */
  forget(itemId: string): void {
    this.last.delete(itemId)
  }
}
