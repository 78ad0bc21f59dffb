import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { decryptSlice } from '../crypto/content.ts'
import { encryptedItem } from '../store/_store.fixtures.ts'
import type { SliceStore } from '../store/types.ts'
import { sliceChunkStore } from './chunkStore.ts'

const S = 65536
const put = (cs: InstanceType<ReturnType<typeof sliceChunkStore>>, i: number, b: Uint8Array) =>
  new Promise<void>((resolve, reject) => cs.put(i, b, (err) => (err ? reject(err) : resolve())))
const get = (
  cs: InstanceType<ReturnType<typeof sliceChunkStore>>,
  i: number,
  o: { offset?: number; length?: number } | null,
) =>
  new Promise<Uint8Array>((resolve, reject) =>
    cs.get(i, o, (err, v) => (err ? reject(err) : resolve(v as Uint8Array))),
  )

describe('sliceChunkStore', () => {
  it('stores authenticated pieces as slices and serves byte ranges of them', async () => {
    const { store, cipher, l, slices, id } = await encryptedItem(3 * (S - 16) + 100)
    const stored: number[] = []
    const Ctor = sliceChunkStore({
      store,
      itemId: id,
      verify: async (i, ct) => void (await decryptSlice(cipher, i, i === l.count - 1, ct)),
      onStored: (i) => stored.push(i),
    })
    const cs = new Ctor(S)
    await put(cs, 2, slices[2]!)
    await put(cs, 0, slices[0]!)
    expect(stored).toEqual([2, 0])
    expect(await store.has(id, 0)).toBe(true)
    expect(await store.has(id, 1)).toBe(false)
    expect(await get(cs, 2, { offset: 100, length: 50 })).toEqual(slices[2]!.subarray(100, 150))
    expect(await get(cs, 0, null)).toEqual(slices[0])
    await expect(get(cs, 1, null)).rejects.toThrow()
  })

  it('refuses a piece that fails authentication and never stores it', async () => {
    const { store, cipher, l, slices, id } = await encryptedItem(2 * (S - 16))
    const Ctor = sliceChunkStore({
      store,
      itemId: id,
      verify: async (i, ct) => void (await decryptSlice(cipher, i, i === l.count - 1, ct)),
    })
    const bad = slices[0]!.slice()
    bad[10] = (bad[10] as number) ^ 1
    await expect(put(new Ctor(S), 0, bad)).rejects.toThrow(/authentication/)
    expect(await store.has(id, 0)).toBe(false)
  })

  it('reports a failed write instead of failing the torrent, and the tamper hook corrupts served bytes', async () => {
    const { store, slices, id } = await encryptedItem(2 * (S - 16))
    const failing: SliceStore = Object.assign(Object.create(store) as SliceStore, {
      writer: async () => {
        throw new Error('disk full')
      },
    })
    const failed: number[] = []
    const Ctor = sliceChunkStore({ store: failing, itemId: id, onPutFailed: (i) => failed.push(i) })
    await put(new Ctor(S), 1, slices[1]!)
    await new Promise((r) => setTimeout(r, 0))
    expect(failed).toEqual([1])
    await store.putSlice(id, 0, slices[0]!)
    const Tamper = sliceChunkStore({ store, itemId: id, tamper: () => true })
    const served = await get(new Tamper(S), 0, { offset: 0, length: 2000 })
    expect(served).not.toEqual(slices[0]!.subarray(0, 2000))
  })

  it('reads a slice once for the requests for its blocks, and serves the tamper hook a copy', async () => {
    const { store, slices, id } = await encryptedItem(2 * (S - 16))
    await store.putSlice(id, 0, slices[0]!)
    let reads = 0
    const counting: SliceStore = Object.assign(Object.create(store) as SliceStore, {
      getSlice: (...args: Parameters<SliceStore['getSlice']>) => {
        reads++
        return store.getSlice(...args)
      },
    })
    let tampering = false
    const cs = new (sliceChunkStore({ store: counting, itemId: id, tamper: () => tampering }))(S)
    const block = S / 4
    const blocks = await Promise.all(
      [0, 1].map((b) => get(cs, 0, { offset: b * block, length: block })),
    )
    tampering = true
    expect(await get(cs, 0, { offset: 2 * block, length: block })).not.toEqual(
      slices[0]!.subarray(2 * block, 3 * block),
    )
    tampering = false
    blocks.push(await get(cs, 0, { offset: 2 * block, length: block }))
    blocks.push(await get(cs, 0, { offset: 3 * block, length: block }))
    expect(Buffer.concat(blocks)).toEqual(Buffer.from(slices[0]!.subarray(0, 4 * block)))
    expect(reads).toBe(1)
    await new Promise<void>((r) => cs.close(() => r()))
  })
})
