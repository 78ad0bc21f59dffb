/**
 * Folds the availability summaries a node receives into each item's health (DESIGN §4.7):
 * seeders, complete copies, cheapest price — what the feed shows on cards and what the
 * "needs seeders" lens sorts by.
 *
 * A summary is dropped when it is oversized or malformed (the codec), dated in the future
 * beyond the allowed clock skew, already stale, or forged (its signature, checked last as the
 * costliest step). Each (signer, item) keeps only its newest entry, so replays and reordering
 * change nothing. Entries expire `ttlMs` after their timestamp: with one announcement a
 * minute, 90 s tolerates one late message and still drops a node that left well within the
 * two minutes the issue allows.
 *
 * Honest limit: a summary proves who signed it, not that the signer holds the slices. A node
 * can claim more than it has (or many peer ids can claim one item); only fetching proves it.
 */
import {
  type DecodedAvailability,
  decodeAvailability,
  MAX_AVAILABILITY_BYTES,
} from '../../shared/availability/codec.ts'
import { verifyAvailability } from './availability.ts'

/** One item's health as the network reports it. */
export type ItemHealth = {
  /** 0x-prefixed lowercase hex, as cards carry it. */
  infoHash: string
  /** Nodes announcing at least one slice. */
  seeders: number
  /** Nodes announcing every slice. */
  completeCopies: number
  /** Lowest price per slice (wei) among the seeders; null when there are none. */
  cheapestPrice: bigint | null
  /** Newest summary timestamp counted (ms); 0 when none. */
  updatedAt: number
}

/** Why a summary was dropped; maps onto gossipsub's validation (forged → reject). */
export type DropReason = 'oversized' | 'malformed' | 'future' | 'stale' | 'forged'

export type IngestResult =
  | { ok: true; signer: string; accepted: number; ignored: number }
  | { ok: false; reason: DropReason }

export type HealthAggregatorInit = {
  /** Entries older than this are expired (default 90 s). */
  ttlMs?: number
  /** Timestamps up to this far ahead of `now` are accepted (default 30 s). */
  maxSkewMs?: number
  /** Most (signer, item) entries kept; the least recently updated go first (default 200,000). */
  maxEntries?: number
  /** ms since the epoch (injectable for tests). */
  now?: () => number
  /** Signature check (injectable to measure or to skip in benchmarks). */
  verify?: (decoded: DecodedAvailability) => boolean
}

export type HealthAggregator = {
  /** Checks and folds one received message. */
  ingest(bytes: Uint8Array): IngestResult
  /**
   * The health of one item (all zeros when nothing is known). `except` leaves one signer out:
   * the node itself, which counts what it holds from its own store rather than its echo.
   */
  health(infoHash: Uint8Array | string, opts?: { except?: Uint8Array | string }): ItemHealth
  /** The health of every item with at least one live entry (a withdrawal counts: 0 seeders). */
  all(): ItemHealth[]
  /** Drops every entry of a signer (its peer disconnected); returns how many. */
  forgetSigner(signer: Uint8Array | string): number
  /** Removes expired entries; returns how many. Call it every few seconds. */
  prune(): number
  /** Live and expired-but-not-pruned entries held. */
  readonly size: number
}

type Held = { slices: number; held: number; price: bigint; timestamp: number }

const hex = (b: Uint8Array): string => {
  let s = '0x'
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}
const keyOf = (v: Uint8Array | string): string => (typeof v === 'string' ? v.toLowerCase() : hex(v))

/**
 * Creates an aggregator.
 * @example
 * const agg = createHealthAggregator()
 * pubsub.addEventListener('message', (e) => agg.ingest(e.detail.data))
 * agg.health(card.content.infoHash) // { seeders, completeCopies, cheapestPrice, ... }
 */
export function createHealthAggregator(init: HealthAggregatorInit = {}): HealthAggregator {
  const ttl = init.ttlMs ?? 90_000
  const skew = init.maxSkewMs ?? 30_000
  const maxEntries = init.maxEntries ?? 200_000
  const now = init.now ?? Date.now
  const verify = init.verify ?? verifyAvailability
  // item → signer → newest entry; and every (item, signer) in update order, oldest first.
  const byItem = new Map<string, Map<string, Held>>()
  const order = new Map<string, [string, string]>()

  const remove = (item: string, signer: string): void => {
    const m = byItem.get(item)
    if (!m?.delete(signer)) return
    if (m.size === 0) byItem.delete(item)
    order.delete(`${item}|${signer}`)
  }

  const healthOf = (item: string, t: number, except?: string): ItemHealth => {
    const h: ItemHealth = {
      infoHash: item,
      seeders: 0,
      completeCopies: 0,
      cheapestPrice: null,
      updatedAt: 0,
    }
    for (const [signer, e] of byItem.get(item) ?? []) {
      if (t - e.timestamp > ttl || e.held === 0 || signer === except) continue
      h.seeders++
      if (e.held === e.slices) h.completeCopies++
      if (h.cheapestPrice === null || e.price < h.cheapestPrice) h.cheapestPrice = e.price
      h.updatedAt = Math.max(h.updatedAt, e.timestamp)
    }
    return h
  }

  return {
    ingest(bytes) {
      if (!(bytes instanceof Uint8Array) || bytes.length > MAX_AVAILABILITY_BYTES)
        return { ok: false, reason: 'oversized' }
      let decoded: DecodedAvailability
      try {
        decoded = decodeAvailability(bytes)
      } catch {
        return { ok: false, reason: 'malformed' }
      }
      const { summary } = decoded
      const t = now()
      if (summary.timestamp > t + skew) return { ok: false, reason: 'future' }
      if (t - summary.timestamp > ttl) return { ok: false, reason: 'stale' }
      if (!verify(decoded)) return { ok: false, reason: 'forged' }
      const signer = hex(summary.signer)
      let accepted = 0
      let ignored = 0
      for (const e of summary.entries) {
        const item = hex(e.infoHash)
        let m = byItem.get(item)
        const prev = m?.get(signer)
        // Only a newer summary replaces an entry: replays and reordered messages are no-ops.
        if (prev && prev.timestamp >= summary.timestamp) {
          ignored++
          continue
        }
        if (!m) {
          m = new Map()
          byItem.set(item, m)
        }
        m.set(signer, {
          slices: e.slices,
          held: e.held,
          price: e.price,
          timestamp: summary.timestamp,
        })
        const k = `${item}|${signer}`
        order.delete(k)
        order.set(k, [item, signer])
        accepted++
      }
      while (order.size > maxEntries) {
        const [item, s] = order.values().next().value as [string, string]
        remove(item, s)
      }
      return { ok: true, signer, accepted, ignored }
    },

    health: (infoHash, opts) =>
      healthOf(keyOf(infoHash), now(), opts?.except === undefined ? undefined : keyOf(opts.except)),

    all() {
      const t = now()
      const out: ItemHealth[] = []
      for (const [item, m] of byItem)
        for (const e of m.values())
          if (t - e.timestamp <= ttl) {
            out.push(healthOf(item, t))
            break
          }
      return out
    },

    forgetSigner(signer) {
      const s = keyOf(signer)
      let n = 0
      for (const item of [...byItem.keys()])
        if (byItem.get(item)?.has(s)) {
          remove(item, s)
          n++
        }
      return n
    },

    prune() {
      const t = now()
      let n = 0
      for (const [item, m] of [...byItem])
        for (const [s, e] of [...m])
          if (t - e.timestamp > ttl) {
            remove(item, s)
            n++
          }
      return n
    },

    get size() {
      return order.size
    },
  }
}
