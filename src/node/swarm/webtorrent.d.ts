// The parts of webtorrent 3's prebuilt browser bundle the swarm uses (it ships no types).
declare module 'webtorrent/dist/webtorrent.min.js' {
  import type { ChunkStoreCtor } from '../torrent/chunkStore.ts'

  export interface Wire {
    peerId: string
    destroyed: boolean
    peerChoking: boolean
    peerPieces: { get(i: number): boolean }
    /** Our block requests to the peer not answered yet. */
    requests: { piece: number; offset: number; length: number }[]
    /** The peer's block requests to us not served yet. */
    peerRequests: unknown[]
    downloaded: number
    uploaded: number
    downloadSpeed(): number
    uploadSpeed(): number
    request(
      index: number,
      offset: number,
      length: number,
      cb: (err: Error | null, chunk?: Uint8Array) => void,
    ): void
    /** Withdraws a block request: its callback fails at once, and a `cancel` goes to the peer. */
    cancel(index: number, offset: number, length: number): void
    destroy(): void
    on(ev: string, fn: (...args: never[]) => void): void
    once(ev: string, fn: (...args: never[]) => void): void
  }

  export interface Torrent {
    infoHash: string
    magnetURI: string
    torrentFile: Uint8Array
    name: string
    length: number
    pieceLength: number
    ready: boolean
    destroyed: boolean
    done: boolean
    progress: number
    downloadSpeed: number
    uploadSpeed: number
    downloaded: number
    received: number
    uploaded: number
    numPeers: number
    wires: Wire[]
    pieces: (unknown | null)[]
    bitfield: { get(i: number): boolean } | null
    store: { get(index: number, cb: (err: Error | null, buf?: Uint8Array) => void): void } | null
    discovery?: { tracker?: { update?(): void } | null } | null
    _critical: boolean[]
    _rarityMap?: { getRarestPiece(filter?: (i: number) => boolean): number } | null
    _reservations: (Wire | null)[][] | null[]
    _select(from: number, to: number, priority: number, notify?: () => void, stream?: boolean): void
    _deselect(from: number, to: number, stream?: boolean): void
    _request(wire: Wire, index: number, hotswap: boolean): boolean
    _hotswap(wire: Wire, index: number): boolean
    /** The torrent's metadata once known (null while a magnet waits for peers). */
    metadata: Uint8Array | null
    /** Takes metadata from ut_metadata (bencoded `{ info }`) or the parsed torrent itself. */
    _onMetadata(metadata: unknown): unknown
    _markUnverified(index: number): void
    _update(): void
    /** Asks one wire for more blocks: webtorrent's piece picking for that wire. */
    _updateWire(wire: Wire): void
    critical(from: number, to: number): void
    /** A peer found by discovery: an address, or a signalled WebRTC peer (simple-peer). */
    addPeer(peer: string | { once(ev: 'connect', fn: () => void): void }, source: string): boolean
    on(ev: string, fn: (...args: never[]) => void): void
    once(ev: string, fn: (...args: never[]) => void): void
    removeListener(ev: string, fn: (...args: never[]) => void): void
    emit(ev: string, ...args: unknown[]): boolean
    destroy(opts?: { destroyStore?: boolean }, cb?: (err?: Error) => void): void
  }

  export type AddOptions = {
    store: ChunkStoreCtor
    announce?: string[]
    strategy?: 'rarest' | 'sequential'
    bitfield?: Uint8Array
    storeCacheSlots?: number
    destroyStoreOnDestroy?: boolean
    skipVerify?: boolean
  }

  export default class WebTorrent {
    constructor(opts?: Record<string, unknown>)
    torrents: Torrent[]
    add(id: string | Uint8Array, opts: AddOptions, onTorrent?: (t: Torrent) => void): Torrent
    get(id: string): Promise<Torrent | null>
    remove(id: string | Torrent, opts?: object, cb?: (err?: Error) => void): Promise<void>
    throttleUpload(rate: number): void
    destroy(cb?: (err?: Error) => void): void
    on(ev: string, fn: (...args: never[]) => void): void
  }
}
