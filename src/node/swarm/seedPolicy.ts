/**
 * "Seed what I watch" in the swarm (the semantics are written down in
 * src/node/seed/settings.ts): which fetched items leave the swarm once nobody here watches
 * them, and which come back. Pure decisions; the swarm service parks and resumes torrents.
 *
 * Parking takes an item's torrent out of the client — it neither fetches nor serves, and its
 * peers see the wire end — and keeps its slices and record, so it can be watched again (and
 * brought back) at once.
 */
import { PLAYING_MS } from './uses.ts'

/** Which fetched items the settings keep in the swarm when nobody here plays them. */
export type SeedPolicy = {
  /** Whether the fetched (not own) item `itemId` is seeded when not playing. */
  keeps(itemId: string): boolean
  /** Called when the answer may have changed; returns an unsubscribe function. */
  onChange(fn: () => void): () => void
}

/** Seed everything (what the swarm does with no settings wired, as in its tests). */
export const SEED_EVERYTHING: SeedPolicy = { keeps: () => true, onChange: () => () => {} }

/** What the decision needs of an item in the swarm. */
export type SwarmedItem = {
  itemId: string
  /** Published here (`own`: always seeded) or fetched from peers. */
  origin: 'own' | 'peer'
  /** When it entered the swarm this session (ms since the epoch). */
  since: number
}

export type ParkOptions = {
  keeps: (itemId: string) => boolean
  /** Items read within PLAYING_MS (uses.ts). */
  playing: ReadonlySet<string>
  now: number
  /** How long an item just added counts as watched before its first read; PLAYING_MS. */
  graceMs?: number
}

/**
 * The items to take out of the swarm now: fetched, not kept by the policy, not playing, and in
 * the swarm for at least the grace period (the player's first read may come a moment after
 * the item is added).
 * @example itemsToPark(items, { keeps: policy.keeps, playing: uses.playing(), now: Date.now() })
 */
export function itemsToPark(items: Iterable<SwarmedItem>, o: ParkOptions): string[] {
  const grace = o.graceMs ?? PLAYING_MS
  const out: string[] = []
  for (const i of items) {
    if (i.origin === 'own' || o.keeps(i.itemId) || o.playing.has(i.itemId)) continue
    if (o.now - i.since < grace) continue
    out.push(i.itemId)
  }
  return out
}

/**
 * Parked items the policy keeps now (the setting was turned on, or the item pinned): they go
 * back into the swarm.
 */
export function itemsToResume(
  parked: Iterable<string>,
  keeps: (itemId: string) => boolean,
): string[] {
  return [...parked].filter((id) => keeps(id))
}
