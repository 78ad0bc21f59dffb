/**
 * The store's checks again with its files behind a port (workerBackend.ts ↔ ioServer.ts), as
 * the app has them in its I/O worker: here both ends share the Node thread over a
 * MessageChannel, and the memory backend's crash model still applies.
 */
import 'fake-indexeddb/auto'
import { afterAll, describe, expect, it } from 'vitest'
import type { IoPort } from '../../shared/protocol/io.ts'
import { crashChecks } from './_crash.checks.ts'
import { storeChecks } from './_store.checks.ts'
import type { StoreEnv } from './_store.fixtures.ts'
import { serveFileBackend } from './ioServer.ts'
import { MemoryBackend } from './memoryBackend.ts'
import { openMeta } from './meta.ts'
import { createSliceStore } from './sliceStore.ts'
import { WorkerFileBackend } from './workerBackend.ts'

const channels: MessageChannel[] = []
afterAll(() => {
  for (const c of channels) {
    c.port1.close()
    c.port2.close()
  }
})

let n = 0
/** `highWaterBytes` small enough that publishes wait for the I/O side now and then. */
function portEnv(highWaterBytes = 3000): () => Promise<StoreEnv> {
  return async () => {
    const name = `port-test-${n++}`
    const memory = new MemoryBackend()
    const channel = new MessageChannel()
    channels.push(channel)
    serveFileBackend(channel.port2 as unknown as IoPort, memory)
    const files = new WorkerFileBackend(channel.port1 as unknown as IoPort, highWaterBytes)
    const open = async () => createSliceStore({ files, meta: await openMeta(name) })
    return {
      store: await open(),
      files,
      memory,
      reopen: open,
      corrupt: async (id, at) => memory.corrupt(id, at),
    }
  }
}

describe('slice store with its files behind a port (the I/O worker protocol)', () => {
  for (const c of storeChecks(portEnv())) it(c.name, c.run)
  for (const c of crashChecks(portEnv())) it(`${c.name} (writes wait for room)`, c.run)
  for (const c of crashChecks(portEnv(2 ** 30))) it(`${c.name} (writes queued)`, c.run)
})

describe('an I/O worker that dies', () => {
  it('fails the calls waiting for it and every later one with a StorageIoError', async () => {
    const channel = new MessageChannel()
    channels.push(channel)
    // Nobody serves port2: the worker never answers, as when its script failed to load.
    const files = new WorkerFileBackend(channel.port1 as unknown as IoPort)
    const waiting = files.list()
    files.fail('the I/O worker failed to load')
    await expect(waiting).rejects.toMatchObject({
      name: 'StorageIoError',
      details: 'the I/O worker failed to load',
    })
    await expect(files.read('x', 0, 1)).rejects.toMatchObject({ name: 'StorageIoError' })
  })
})

describe('reads behind a port', () => {
  it('a slow read does not hold later requests, and sees the writes before it', async () => {
    const memory = new MemoryBackend()
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    // The read of "slow" takes what it reads at the call, then waits (as a `getFile()` does).
    const backend = Object.assign(Object.create(memory) as MemoryBackend, {
      read: (name: string, at: number, length: number) => {
        const got = memory.read(name, at, length)
        return name === 'slow' ? gate.then(() => got) : got
      },
    })
    const channel = new MessageChannel()
    channels.push(channel)
    serveFileBackend(channel.port2 as unknown as IoPort, backend)
    const files = new WorkerFileBackend(channel.port1 as unknown as IoPort)
    const w = await files.openWriter('slow')
    await w.write(new Uint8Array([1, 2, 3]), 0)
    await w.close()
    const slow = files.read('slow', 0, 3)
    await expect(files.list()).resolves.toContain('slow')
    const other = await files.openWriter('other')
    await other.write(new Uint8Array([9]), 0)
    await other.close()
    await expect(files.read('other', 0, 1)).resolves.toEqual(new Uint8Array([9]))
    release()
    await expect(slow).resolves.toEqual(new Uint8Array([1, 2, 3]))
  })
})
