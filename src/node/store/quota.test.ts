/**
 * The browser's quota running out (issue 20's drill), on the memory backend's model of it: a
 * publish fails with our QuotaExceededError and leaves no item behind, wherever it ran out,
 * and every earlier item still reads exactly.
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { QuotaExceededError } from '../../shared/errors/store.ts'
import { cipherOf, data, P, publish, readStored } from './_store.fixtures.ts'
import { MemoryBackend } from './memoryBackend.ts'
import { openMeta } from './meta.ts'
import { isQuotaError, quotaError } from './quota.ts'
import { createSliceStore } from './sliceStore.ts'
import type { SliceStore } from './types.ts'

const browserQuota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError')

let n = 0
async function storeWithEarlierItem() {
  const memory = new MemoryBackend()
  const store = createSliceStore({ files: memory, meta: await openMeta(`quota-test-${n++}`) })
  const earlierBytes = data(5 * P + 7, 3)
  const earlier = await publish(store, earlierBytes)
  return { memory, store, earlier, earlierBytes }
}

async function expectEarlierIntact(
  store: SliceStore,
  earlier: { id: string },
  bytes: Uint8Array,
): Promise<void> {
  expect((await store.items()).map((i) => [i.id, i.state])).toEqual([[earlier.id, 'complete']])
  const cipher = await cipherOf(store, earlier.id)
  expect(await readStored(store, earlier.id, cipher, 0, bytes.length)).toEqual(bytes)
}

describe('quota errors', () => {
  it('recognises the browser’s DOMException and ours, and nothing else', () => {
    expect(isQuotaError(browserQuota())).toBe(true)
    expect(isQuotaError(new QuotaExceededError('full'))).toBe(true)
    expect(isQuotaError(new Error('disk on fire'))).toBe(false)
    expect(isQuotaError(new DOMException('x', 'NotFoundError'))).toBe(false)
    expect(isQuotaError('QuotaExceededError')).toBe(false)
  })

  it('turns the browser’s into ours, its text in the details', () => {
    const err = quotaError(browserQuota(), 'The publish')
    expect(err).toBeInstanceOf(QuotaExceededError)
    expect(err.shortMessage).toBe(
      "The publish ran out of storage space: the browser's quota is full.",
    )
    expect(err.details).toBe('The quota has been exceeded.')
    const ours = new QuotaExceededError('full')
    expect(quotaError(ours, 'x')).toBe(ours)
  })
})

describe('a publish that runs out of quota', () => {
  it('fails with QuotaExceededError when its file cannot be allocated, leaving no item or file', async () => {
    const { memory, store, earlier, earlierBytes } = await storeWithEarlierItem()
    memory.quotaBytes = [...memory.files.values()].reduce((s, f) => s + f.durable.length, 0) + P
    const err = await publish(store, data(8 * P, 4)).catch((e: Error) => e)
    expect(err).toBeInstanceOf(QuotaExceededError)
    expect((err as QuotaExceededError).details).toMatch(/exceed the quota/)
    await store.removals()
    expect([...memory.files.keys()]).toEqual([earlier.id])
    await expectEarlierIntact(store, earlier, earlierBytes)
  })

  it('fails the same way when the quota runs out after some slices were committed', async () => {
    const { store, earlier, earlierBytes } = await storeWithEarlierItem()
    // IndexedDB's transaction of the second commit hits the quota.
    let commits = 0
    const full: SliceStore = Object.assign(Object.create(store) as SliceStore, {
      writer: async (id: string) => {
        const w = await store.writer(id)
        return {
          ...w,
          commit: async () => {
            if (++commits === 2) throw browserQuota()
            return w.commit()
          },
        }
      },
    })
    const err = await publish(full, data(9 * P, 5)).catch((e: Error) => e)
    expect(commits).toBe(2)
    expect(err).toBeInstanceOf(QuotaExceededError)
    await expectEarlierIntact(store, earlier, earlierBytes)
  })

  it('a publish that fits is untouched by a quota it stays under', async () => {
    const { memory, store, earlier } = await storeWithEarlierItem()
    memory.quotaBytes = 64 * P
    const bytes = data(6 * P + 1, 6)
    const r = await publish(store, bytes)
    expect((await store.items()).map((i) => i.id).sort()).toEqual([earlier.id, r.id].sort())
    expect(await readStored(store, r.id, await cipherOf(store, r.id), 0, bytes.length)).toEqual(
      bytes,
    )
  })
})
