/**
 * The swarm's rate caps (DESIGN §4.7): one upload bucket and one download bucket for the whole
 * webtorrent client — every wire of every torrent, content and previews alike — at the rates
 * the personal node's settings name, changed live when the settings change.
 *
 * They are installed on the client's `add` event, which webtorrent emits synchronously inside
 * `client.add()` for every torrent (`seed()` goes through `add()` too), before the torrent has
 * any wire: no torrent or wire escapes the caps, and nothing else in the swarm needs to know.
 */
import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import { type BucketClock, createTokenBucket, type TokenBucket } from '../seed/tokenBucket.ts'
import { capTorrentDownload, type DownloadTorrent } from './downloadCap.ts'
import { capWireUpload, type UploadWire } from './uploadCap.ts'

/** Bytes per second; null means no cap. */
export type RateLimits = { upload: number | null; download: number | null }

/** Where the rates come from (the seed service's settings) and how changes are heard. */
export type RateSource = {
  current(): RateLimits
  /** Returns an unsubscribe function. */
  onChange(fn: (limits: RateLimits) => void): () => void
}

export type RateCaps = {
  readonly upload: TokenBucket
  readonly download: TokenBucket
  /** Stops following the source and rejects every waiting block (the swarm stopped). */
  close(): void
}

/** An uncapped source: what the swarm runs with when no settings are wired (tests). */
export const UNCAPPED: RateSource = {
  current: () => ({ upload: null, download: null }),
  onChange: () => () => {},
}

const rateOf = (bytesPerSec: number | null): number => bytesPerSec ?? Number.POSITIVE_INFINITY

/**
 * The two buckets at the source's current rates, following its changes.
 * @example const caps = createRateCaps(seed.rates()); installRateCaps(client, caps)
 */
export function createRateCaps(source: RateSource, clock?: BucketClock): RateCaps {
  const now = source.current()
  const upload = createTokenBucket({ rate: rateOf(now.upload), ...(clock ? { clock } : {}) })
  const download = createTokenBucket({ rate: rateOf(now.download), ...(clock ? { clock } : {}) })
  const unsubscribe = source.onChange((l) => {
    upload.setRate(rateOf(l.upload))
    download.setRate(rateOf(l.download))
  })
  return {
    upload,
    download,
    close() {
      unsubscribe()
      upload.close()
      download.close()
    },
  }
}

/** The part of the webtorrent client the caps hook into. */
export type CappableClient = { on(ev: 'add', fn: (t: Torrent) => void): void }

/**
 * Caps every torrent `client` adds from now on: its requests by `caps.download`, and each of
 * its wires' outgoing blocks by `caps.upload`.
 */
export function installRateCaps(client: CappableClient, caps: RateCaps): void {
  client.on('add', (t: Torrent) => {
    capTorrentDownload(t as unknown as DownloadTorrent<Wire>, caps.download)
    t.on('wire', (wire: Wire) => capWireUpload(wire as unknown as UploadWire, caps.upload))
  })
}
