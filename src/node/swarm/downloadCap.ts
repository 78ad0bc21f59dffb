/**
 * The optional download cap on one torrent (DESIGN §4.7): block requests are paced by the
 * token bucket every torrent shares, so what peers send this node stays near the cap. A
 * request is charged its block's bytes when it is made; while charges wait in the bucket, the
 * torrent makes no new requests on any wire, and once they are granted it looks again.
 *
 * Why gate `_updateWire` rather than refuse single requests: when `_request` says no,
 * webtorrent goes on trying every other piece the peer has (rarest-first asks the rarity map
 * each time), which costs O(pieces²) on every refusal. A closed gate returns at once.
 *
 * The price of that: a wire the gate lets through may fill its whole pipeline (at most
 * `MAX_REQUESTS` blocks) before the charges catch up. The debt is paid before the next
 * request, so over seconds the rate holds; only the first burst may exceed it.
 */
import type { TokenBucket } from '../seed/tokenBucket.ts'

/** The parts of a webtorrent torrent the cap patches (the bundle ships no types). */
export type DownloadTorrent<W extends { requests: { length: number }[] }> = {
  destroyed: boolean
  _updateWire(wire: W): unknown
  _request(wire: W, index: number, hotswap: boolean): boolean
  _update(): void
}

/**
 * Paces `t`'s block requests by `bucket`. With an uncapped bucket (rate `Infinity`) requests
 * pass untouched, so the cap can be switched on and off while the torrent runs.
 * @example capTorrentDownload(torrent, caps.download)
 */
export function capTorrentDownload<W extends { requests: { length: number }[] }>(
  t: DownloadTorrent<W>,
  bucket: TokenBucket,
): void {
  const uncapped = () => !Number.isFinite(bucket.state.rate)
  let waking = false

  // Once every charge queued so far is granted (a 0-byte take queues behind them, first come
  // first served), the torrent looks for requests to make again.
  const wakeLater = (): void => {
    if (waking) return
    waking = true
    bucket.take(0).then(
      () => {
        waking = false
        if (!t.destroyed) t._update()
      },
      () => {
        waking = false
      },
    )
  }

  const updateWire = t._updateWire.bind(t)
  t._updateWire = (wire) => {
    if (!uncapped() && bucket.state.waiting > 0) {
      wakeLater()
      return
    }
    return updateWire(wire)
  }

  const request = t._request.bind(t)
  t._request = (wire, index, hotswap) => {
    const before = wire.requests.length
    const sent = request(wire, index, hotswap)
    if (!sent || uncapped()) return sent
    const burst = bucket.state.burst
    // Granted now when tokens are there; otherwise queued, which closes the gate.
    for (const r of wire.requests.slice(before))
      bucket.take(Math.min(r.length, burst)).catch(() => {})
    return sent
  }
}
