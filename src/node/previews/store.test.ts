import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { ChunkStore } from '../torrent/chunkStore.ts'
import {
  bitfieldOf,
  openPreviewDb,
  pieceIndices,
  previewChunkStore,
  readPreviewBytes,
} from './store.ts'

const IH = '11'.repeat(20)
const put = (s: ChunkStore, i: number, b: Uint8Array) =>
  new Promise<void>((res, rej) => s.put(i, b, (err) => (err ? rej(err) : res())))
const get = (s: ChunkStore, i: number, o: { offset?: number; length?: number } | null) =>
  new Promise<Uint8Array>((res, rej) =>
    s.get(i, o, (err, v) => (err ? rej(err) : res(v as Uint8Array))),
  )

describe('previewChunkStore', () => {
  it('stores pieces in IndexedDB, reads ranges back, and refuses pieces past the limit', async () => {
    const db = await openPreviewDb('preview-store-test')
    const Store = previewChunkStore(db, IH, 3)
    const s = new Store(4)
    await put(s, 0, Uint8Array.of(1, 2, 3, 4))
    await put(s, 2, Uint8Array.of(9, 9))
    expect(await get(s, 0, { offset: 1, length: 2 })).toEqual(Uint8Array.of(2, 3))
    expect(await get(s, 2, null)).toEqual(Uint8Array.of(9, 9))
    await expect(get(s, 1, null)).rejects.toThrow(/not stored/)
    await expect(put(s, 3, Uint8Array.of(0))).rejects.toThrow(/past the limit/)
    expect(await pieceIndices(db, IH)).toEqual([0, 2])
    expect(bitfieldOf([0, 2], 3)).toEqual(Uint8Array.of(0b1010_0000))
    expect(await readPreviewBytes(db, IH, 10, 4)).toBeNull() // piece 1 is missing
    // A new instance (a reload) sees the same pieces.
    await put(new (previewChunkStore(db, IH, 3))(4), 1, Uint8Array.of(5, 6, 7, 8))
    expect(await readPreviewBytes(db, IH, 10, 4)).toEqual(
      Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 9),
    )
    s.close()
    await expect(get(s, 0, null)).rejects.toThrow(/closed/)
  })
})
