import 'fake-indexeddb/auto'
import { describe, it } from 'vitest'
import { crashChecks } from './_crash.checks.ts'
import { storeChecks } from './_store.checks.ts'
import type { StoreEnv } from './_store.fixtures.ts'
import { MemoryBackend } from './memoryBackend.ts'
import { openMeta } from './meta.ts'
import { createSliceStore } from './sliceStore.ts'

let n = 0
function memoryEnv(coalesceBytes?: number): () => Promise<StoreEnv> {
  return async () => {
    const name = `store-test-${n++}`
    const memory = new MemoryBackend()
    const open = async () =>
      createSliceStore({
        files: memory,
        meta: await openMeta(name),
        ...(coalesceBytes === undefined ? {} : { coalesceBytes }),
      })
    return {
      store: await open(),
      files: memory,
      memory,
      reopen: open,
      corrupt: async (id, at) => memory.corrupt(id, at),
    }
  }
}

describe('slice store on the memory backend', () => {
  for (const c of storeChecks(memoryEnv())) it(c.name, c.run)
  for (const c of crashChecks(memoryEnv())) it(`${c.name} (writes coalesced)`, c.run)
  for (const c of crashChecks(memoryEnv(0))) it(`${c.name} (one write per slice)`, c.run)
})
