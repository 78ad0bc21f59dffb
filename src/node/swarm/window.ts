/**
 * The deadline window (DESIGN §4.3): which slices are critical for a play head, and which
 * outstanding requests for them are overdue. Pure functions; picker.ts applies them.
 */
import type { Layout } from '../crypto/layout.ts'

export type WindowOptions = {
  /** Seconds of media ahead of the play head… */
  seconds: number
  /** …and at least this many bytes. */
  bytes: number
  /** Media duration when the player knows it (turns seconds into bytes). */
  duration?: number | undefined
  /** Where the read ends (exclusive plaintext byte): no slice past it is critical. */
  end?: number | undefined
}

/**
 * The slices [first, last] to fetch first for plaintext byte `position` (up to `end` when the
 * read ends there).
 * @example criticalSlices(layout(60e6, 262144), 0, { seconds: 10, bytes: 8 << 20 }) // { first: 0, last: 31 }
 */
export function criticalSlices(
  l: Layout,
  position: number,
  o: WindowOptions,
): { first: number; last: number } {
  const pos = Math.min(Math.max(0, position), Math.max(0, l.size - 1))
  const bySeconds = o.duration && o.duration > 0 ? (l.size / o.duration) * o.seconds : 0
  const span = Math.min(Math.max(o.bytes, bySeconds), Math.max(1, (o.end ?? l.size) - pos))
  const first = Math.floor(pos / l.plainSliceSize)
  const last = Math.min(l.count - 1, Math.floor((pos + span - 1) / l.plainSliceSize))
  return { first, last: Math.max(first, last) }
}

export type Outstanding = { index: number; offset: number; at: number }

/**
 * Requests older than `deadlineMs` on critical pieces, which other peers can serve instead.
 */
export function overdue<R extends Outstanding>(
  requests: Iterable<R>,
  now: number,
  deadlineMs: number,
  isCritical: (index: number) => boolean,
): R[] {
  const out: R[] = []
  for (const r of requests) if (isCritical(r.index) && now - r.at > deadlineMs) out.push(r)
  return out
}
