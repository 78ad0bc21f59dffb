/**
 * Where previews live (IndexedDB `hashcard-previews`): a record per preview torrent and its
 * pieces, so a reopened tab seeds every preview it made or fetched. A preview is at most
 * 4 MiB in 64 KiB pieces, well within what IndexedDB writes quickly (≈ 30–60 MB/s here), and
 * this keeps previews out of the OPFS slice store that holds the encrypted content.
 *
 * {@link previewChunkStore} is webtorrent's chunk store (abstract-chunk-store) over the
 * pieces: webtorrent SHA-1-checks a piece before `put`, so every stored piece is verified.
 */
import { type IDBPDatabase, openDB } from 'idb'
import {
  type Cb,
  type ChunkStoreCtor,
  type GetRange,
  getArgs,
  rangeOf,
} from '../torrent/chunkStore.ts'
import type { PreviewEntry } from './format.ts'

export const PREVIEW_DB = 'hashcard-previews'

export type PreviewRecord = {
  infoHash: string
  /** `own`: made on this node; `peer`: fetched from the swarm. */
  origin: 'own' | 'peer'
  /** `fetching` until every piece is stored; `refused` keeps the reason, never re-fetched. */
  state: 'fetching' | 'complete' | 'refused'
  torrentFile: Uint8Array | null
  entries?: PreviewEntry[] | undefined
  length?: number | undefined
  pieceLength?: number | undefined
  /** Error name and message of a refusal. */
  reason?: { name: string; message: string } | undefined
  createdAt: number
}

type Piece = { infoHash: string; index: number; bytes: Uint8Array }

export type PreviewDb = IDBPDatabase

export function openPreviewDb(name = PREVIEW_DB): Promise<PreviewDb> {
  return openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('previews', { keyPath: 'infoHash' })
      db.createObjectStore('pieces', { keyPath: ['infoHash', 'index'] })
    },
  })
}

export async function putPreview(db: PreviewDb, r: PreviewRecord): Promise<void> {
  await db.put('previews', { ...r, torrentFile: r.torrentFile?.slice() ?? null })
}

export async function getPreview(db: PreviewDb, infoHash: string): Promise<PreviewRecord | null> {
  return ((await db.get('previews', infoHash)) as PreviewRecord | undefined) ?? null
}

export async function allPreviews(db: PreviewDb): Promise<PreviewRecord[]> {
  return db.getAll('previews')
}

const range = (infoHash: string) =>
  IDBKeyRange.bound([infoHash, 0], [infoHash, Number.MAX_SAFE_INTEGER])

export async function putPieces(db: PreviewDb, infoHash: string, pieces: Uint8Array[]) {
  const tx = db.transaction('pieces', 'readwrite')
  await Promise.all([
    ...pieces.map((p, index) => tx.store.put({ infoHash, index, bytes: p.slice() } as Piece)),
    tx.done,
  ])
}

/** The indices of the stored pieces of a preview. */
export async function pieceIndices(db: PreviewDb, infoHash: string): Promise<number[]> {
  const keys = await db.getAllKeys('pieces', range(infoHash))
  return keys.map((k) => (k as [string, number])[1])
}

/** Every stored piece, concatenated, cut to `length`; null when one is missing. */
export async function readPreviewBytes(
  db: PreviewDb,
  infoHash: string,
  length: number,
  pieceLength: number,
): Promise<Uint8Array | null> {
  const rows = (await db.getAll('pieces', range(infoHash))) as Piece[]
  const count = Math.ceil(length / pieceLength)
  if (rows.length !== count) return null
  const out = new Uint8Array(length)
  for (const r of rows)
    out.set(r.bytes.subarray(0, length - r.index * pieceLength), r.index * pieceLength)
  return out
}

/** Removes a preview's pieces (a refused torrent keeps only its record). */
export async function deletePieces(db: PreviewDb, infoHash: string): Promise<void> {
  await db.delete('pieces', range(infoHash))
}

/** Removes a preview whole, its pieces and its record, in one transaction. */
export async function deletePreview(db: PreviewDb, infoHash: string): Promise<void> {
  const tx = db.transaction(['previews', 'pieces'], 'readwrite')
  await Promise.all([
    tx.objectStore('pieces').delete(range(infoHash)),
    tx.objectStore('previews').delete(infoHash),
    tx.done,
  ])
}

/** BitTorrent-order bitfield (BEP 3) of the stored pieces, for webtorrent's resume. */
export function bitfieldOf(indices: number[], count: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(count / 8))
  for (const i of indices) if (i < count) out[i >> 3] = (out[i >> 3] as number) | (0x80 >> (i & 7))
  return out
}

/**
 * A chunk store class bound to one preview. Refuses pieces past `maxPieces` (a torrent larger
 * than the limit is refused on its metadata before any piece is asked for; this is the floor).
 * @example client.add(torrentFile, { store: previewChunkStore(db, infoHash, 64) })
 */
export function previewChunkStore(
  db: PreviewDb,
  infoHash: string,
  maxPieces: number,
): ChunkStoreCtor {
  return class PreviewChunkStore {
    readonly chunkLength: number
    private closed = false

    constructor(chunkLength: number) {
      this.chunkLength = chunkLength
    }

    put(index: number, buf: Uint8Array, cb: Cb = () => {}): void {
      if (this.closed || index >= maxPieces) {
        queueMicrotask(() =>
          cb(new Error(this.closed ? 'the store is closed' : 'piece past the limit')),
        )
        return
      }
      db.put('pieces', { infoHash, index, bytes: buf.slice() } as Piece).then(
        () => cb(null),
        (err: Error) => cb(err),
      )
    }

    get(index: number, opts: GetRange | null | Cb<Uint8Array>, cb?: Cb<Uint8Array>): void {
      const { done, range } = getArgs(opts, cb)
      if (this.closed) {
        queueMicrotask(() => done(new Error('the store is closed')))
        return
      }
      db.get('pieces', [infoHash, index]).then(
        (row: Piece | undefined) => {
          if (!row) return done(new Error(`piece ${index} is not stored`))
          done(null, rangeOf(row.bytes, range))
        },
        (err: Error) => done(err),
      )
    }

    close(cb: Cb = () => {}): void {
      this.closed = true
      queueMicrotask(() => cb(null))
    }

    /** Keeps the pieces: the preview service decides what to delete. */
    destroy(cb: Cb = () => {}): void {
      this.close(cb)
    }
  }
}
