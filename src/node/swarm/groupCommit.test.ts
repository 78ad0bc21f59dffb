import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { randomSalt } from '../crypto/content.ts'
import { MemoryBackend } from '../store/memoryBackend.ts'
import { openMeta } from '../store/meta.ts'
import { createSliceStore } from '../store/sliceStore.ts'
import type { SliceStore } from '../store/types.ts'
import { groupWriter } from './groupCommit.ts'

const S = 65536
let n = 0

async function setup(count: number) {
  const store = createSliceStore({ files: new MemoryBackend(), meta: await openMeta(`gc-${n++}`) })
  const item = await store.createItem({
    size: count * (S - 16),
    sliceSize: S,
    contentSalt: randomSalt(),
  })
  const slices = Array.from({ length: count }, (_, i) => new Uint8Array(S).fill(i + 1))
  return { store, id: item.id, slices }
}

/** Counts the store's commits through its batch writer. */
function counting(store: SliceStore) {
  const c = { commits: 0, opens: 0 }
  const view = Object.assign(Object.create(store) as SliceStore, {
    writer: async (id: string) => {
      c.opens++
      const w = await store.writer(id)
      const commit = () => {
        c.commits++
        return w.commit()
      }
      return { ...w, commit }
    },
  })
  return { view, c }
}

describe('groupWriter', () => {
  it('stores concurrent puts with fewer commits than puts, each resolved once marked', async () => {
    const { store, id, slices } = await setup(12)
    const { view, c } = counting(store)
    const g = groupWriter(view, id)
    await Promise.all(
      slices.map(async (ct, i) => {
        await g.put(i, ct)
        expect(await store.has(id, i)).toBe(true)
      }),
    )
    expect(c.opens).toBe(1)
    expect(c.commits).toBeLessThan(slices.length)
    await g.close()
    for (const [i, ct] of slices.entries()) expect(await store.getSlice(id, i)).toEqual(ct)
  })

  it('opens a new writer after one failed', async () => {
    const { store, id, slices } = await setup(2)
    let fail = true
    const view = Object.assign(Object.create(store) as SliceStore, {
      writer: async (wid: string) => {
        const w = await store.writer(wid)
        if (!fail) return w
        fail = false
        await w.close()
        return { ...w, write: async () => Promise.reject(new Error('disk full')) }
      },
    })
    const g = groupWriter(view, id)
    await expect(g.put(0, slices[0] as Uint8Array)).rejects.toThrow('disk full')
    await g.put(0, slices[0] as Uint8Array)
    expect(await store.has(id, 0)).toBe(true)
    await g.close()
  })
})
