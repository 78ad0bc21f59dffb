/**
 * webtorrent's chunk store interface (abstract-chunk-store): what a torrent's storage must
 * offer, and the argument handling every implementation shares. The content swarm stores
 * pieces in the slice store (src/node/swarm/chunkStore.ts), previews in IndexedDB
 * (src/node/previews/store.ts).
 */

export type Cb<T = void> = (err: Error | null, value?: T) => void

/** The byte range of a `get(index, opts?, cb)` call (abstract-chunk-store's optional `opts`). */
export type GetRange = { offset?: number; length?: number }

/** Sorts out `get`'s optional argument: the callback to answer and the range asked for. */
export function getArgs(
  opts: GetRange | null | Cb<Uint8Array>,
  cb: Cb<Uint8Array> | undefined,
): { done: Cb<Uint8Array>; range: GetRange } {
  const done = (typeof opts === 'function' ? opts : cb) ?? (() => {})
  return { done, range: typeof opts === 'function' || !opts ? {} : opts }
}

/** The part of a whole piece that `range` asks for (a view, not a copy). */
export function rangeOf(piece: Uint8Array, range: GetRange): Uint8Array {
  const start = range.offset ?? 0
  return piece.subarray(start, range.length === undefined ? piece.length : start + range.length)
}

/** The constructor webtorrent calls as `new store(pieceLength, opts)`. */
export type ChunkStoreCtor = new (chunkLength: number, opts?: { length?: number }) => ChunkStore

export interface ChunkStore {
  readonly chunkLength: number
  put(index: number, buf: Uint8Array, cb?: Cb): void
  get(index: number, opts: GetRange | null | Cb<Uint8Array>, cb?: Cb<Uint8Array>): void
  close(cb?: Cb): void
  destroy(cb?: Cb): void
}
