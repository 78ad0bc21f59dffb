import 'fake-indexeddb/auto'
import { describe, it } from 'vitest'
import { crashChecks, type StoreEnv, storeChecks } from './_store.checks.ts'
import { MemoryBackend } from './memoryBackend.ts'
import { openMeta } from './meta.ts'
import { createSliceStore } from './sliceStore.ts'

let n = 0
async function memoryEnv(): Promise<StoreEnv> {
  const name = `store-test-${n++}`
  const memory = new MemoryBackend()
  return {
    store: createSliceStore({ files: memory, meta: await openMeta(name) }),
    files: memory,
    memory,
    reopen: async () => createSliceStore({ files: memory, meta: await openMeta(name) }),
    corrupt: async (id, at) => memory.corrupt(id, at),
  }
}

describe('slice store on the memory backend', () => {
  for (const c of storeChecks(memoryEnv)) it(c.name, c.run)
  for (const c of crashChecks(memoryEnv)) it(c.name, c.run)
})
