/**
 * A debug trace of webtorrent's piece picking (off by default; on with
 * `localStorage.debug = 'hashcard:swarm:trace'`, or `DEBUG=hashcard:swarm:trace` for the
 * benches): every {@link TRACE_EVERY_MS} it logs how often `_updateWire` ran, the CPU time it
 * took, and the `_request` calls it made and how many of them sent a request. A priced wire at
 * its credit (src/node/pay) refuses every new piece, and webtorrent's rarest-first then walks
 * the whole selection, each step a scan of every piece.
 */

import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { logger } from '../log.ts'

const log = logger('swarm:trace')
const TRACE_EVERY_MS = 5_000

/** Wraps `t`'s picking with counters when the trace is on; returns its stop function. */
export function tracePicking(t: Torrent): () => void {
  if (!log.enabled()) return () => {}
  let sum = { updates: 0, ms: 0, requests: 0, sent: 0 }
  const updateWire = t._updateWire.bind(t)
  t._updateWire = (wire) => {
    const t0 = performance.now()
    updateWire(wire)
    sum.ms += performance.now() - t0
    sum.updates += 1
  }
  const request = t._request.bind(t)
  t._request = (wire, index, hotswap) => {
    const sent = request(wire, index, hotswap)
    sum.requests += 1
    if (sent) sum.sent += 1
    return sent
  }
  const timer = setInterval(() => {
    if (sum.updates === 0) return
    log(
      '%s: _updateWire %d times, %s ms; _request %d calls, %d sent',
      t.infoHash.slice(0, 8),
      sum.updates,
      sum.ms.toFixed(1),
      sum.requests,
      sum.sent,
    )
    sum = { updates: 0, ms: 0, requests: 0, sent: 0 }
  }, TRACE_EVERY_MS)
  return () => clearInterval(timer)
}
