/**
 * Keeping a running torrent honest with the store and the tracker, on every stats tick: the
 * store is the truth about which slices are held, and an item without peers asks again.
 */
import { logger } from '../log.ts'
import { getBit } from '../store/bitfield.ts'
import type { Active } from './activate.ts'
import { REANNOUNCE_MS } from './constants.ts'

const log = logger('swarm')

/**
 * The store is the truth: a piece webtorrent counts as verified whose slice the store does
 * not hold (its bit was cleared, e.g. by a failed read) is marked missing so it is fetched
 * again — a download never ends short of its slices. Reannounces first ({@link reannounce}).
 */
export function reconcileTorrent(a: Active, have: Uint8Array): void {
  const t = a.torrent
  reannounce(a)
  if (!t.ready || t.destroyed || !t.bitfield) return
  let lost = 0
  for (let i = 0; i < a.item.count; i++) {
    if (t.bitfield.get(i) && !getBit(have, i)) {
      t._markUnverified(i)
      lost++
    }
  }
  if (lost === 0) return
  log.warn('%s: %d verified slices are no longer stored; fetching them again', a.rec.itemId, lost)
  t._update()
}

/**
 * An unfinished item with no peer announces again every {@link REANNOUNCE_MS}: the
 * tracker's own interval is minutes, and one failed WebRTC handshake would stall it that long.
 */
export function reannounce(a: Active): void {
  const t = a.torrent
  if (t.destroyed || t.done || t.wires.length > 0) return
  const now = performance.now()
  if (now - (a.announcedAt ?? 0) < REANNOUNCE_MS) return
  a.announcedAt = now
  t.discovery?.tracker?.update?.()
}
