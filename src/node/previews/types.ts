/**
 * The parts of webtorrent the preview service uses (service.ts): the swarm's client and its
 * torrents, narrowed so tests can hand the service a fake.
 */
import type { ChunkStoreCtor } from '../torrent/chunkStore.ts'

/** The parts of a webtorrent torrent this service uses. */
export interface PreviewTorrent {
  infoHash: string
  torrentFile: Uint8Array
  files: { path: string; length: number }[]
  length: number
  pieceLength: number
  done: boolean
  destroyed: boolean
  wires: unknown[]
  discovery?: { tracker?: { update?(): void } | null } | null
  on(ev: string, fn: (...args: never[]) => void): void
  destroy(opts?: object, cb?: (err?: Error) => void): void
  /** webtorrent's handler of metadata from ut_metadata (torrent/metadata.ts gates it). */
  _onMetadata(metadata: unknown): unknown
}

/** The parts of the webtorrent client this service uses. */
export interface PreviewClient {
  add(
    id: string | Uint8Array,
    opts: {
      store: ChunkStoreCtor
      announce: string[]
      bitfield?: Uint8Array
      destroyStoreOnDestroy: boolean
    },
  ): PreviewTorrent
}
