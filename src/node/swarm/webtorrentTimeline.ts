/**
 * Debug timeline of one torrent (`hashcard:swarm:timeline`): milliseconds from `client.add` to
 * its first peer, metadata, readiness, first verified piece and completion. Time to first
 * frame from a peer is the sum of these steps; this says which one to cut.
 */
import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { logger } from '../log.ts'

const log = logger('swarm:timeline')

export function logTimeline(t: Torrent): void {
  const t0 = performance.now()
  const mark = (what: string) => () =>
    log('%s: %s after %d ms', t.infoHash, what, Math.round(performance.now() - t0))
  t.once('infoHash', mark('infoHash'))
  t.once('wire', mark('first wire'))
  t.once('metadata', mark('metadata'))
  t.once('ready', mark('ready'))
  t.once('download', mark('first block'))
  t.once('verified', mark('first verified piece'))
  t.once('done', mark('done'))
}
