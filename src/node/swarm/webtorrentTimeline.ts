/**
 * Debug timeline of one torrent (`hashcard:swarm:timeline`): milliseconds from `client.add` to
 * the tracker's answer to its first announce, each peer from the tracker (for a WebRTC offer
 * we sent: its answer arrived; for one a peer sent: the offer) and its connection, the first wire, metadata,
 * readiness, first verified piece and completion. Time to first frame from a peer is the sum
 * of these steps; this says which one to cut.
 */
import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { logger } from '../log.ts'

const log = logger('swarm:timeline')

export function logTimeline(t: Torrent): void {
  const t0 = performance.now()
  const mark = (what: string) => () =>
    log('%s: %s after %d ms', t.infoHash, what, Math.round(performance.now() - t0))
  t.once('infoHash', mark('infoHash'))
  t.once('trackerAnnounce', mark('tracker answered'))
  if (typeof t.addPeer === 'function') {
    const addPeer = t.addPeer.bind(t)
    let peers = 0
    t.addPeer = (peer, source) => {
      const n = ++peers
      mark(`peer ${n} (${source})`)()
      if (typeof peer === 'object') peer.once('connect', mark(`peer ${n} connected`))
      return addPeer(peer, source)
    }
  }
  t.once('wire', mark('first wire'))
  t.once('metadata', mark('metadata'))
  t.once('ready', mark('ready'))
  t.once('download', mark('first block'))
  t.once('verified', mark('first verified piece'))
  t.once('done', mark('done'))
}
