/**
 * The I/O worker's side of src/shared/protocol/io.ts: serves a {@link FileBackend} (OPFS in the
 * browser, the memory backend in Node tests) on a port. Requests run one at a time in arrival
 * order, so a flush covers every write sent before it and a read sees them (a read of a file starts
 * in its turn and may finish after later requests). A writer whose write failed refuses everything
 * after it but `close`: its next flush reports the failure, so slices written before a lost write
 * are never marked verified (sliceStore.ts).
 */

import type { IoCall, IoConnect, IoPort, IoReply, IoRequest } from '../../shared/protocol/io.ts'
import type { FileBackend, FileWriter } from './fileBackend.ts'
import { OpfsBackend } from './opfsBackend.ts'

/**
 * Runs in the I/O worker (opfsIo.ts): serves each connecting port on its OPFS directory. Ports
 * on one directory share one backend, which then knows every handle open on its files (a read
 * handle is closed before a writer opens the file).
 */
export function serveOpfsIo(scope: { onmessage: ((e: MessageEvent) => void) | null }): void {
  const dirs = new Map<string, Promise<OpfsBackend>>()
  scope.onmessage = (e) => {
    const m = e.data as IoConnect
    if (m?.type !== 'connect') return
    let backend = dirs.get(m.dir)
    if (!backend) {
      backend = OpfsBackend.create(m.dir)
      dirs.set(m.dir, backend)
      backend.catch(() => dirs.delete(m.dir))
    }
    serveFileBackend(m.port, backend)
  }
}

/**
 * @example serveFileBackend(port, OpfsBackend.create('hashcard-v1'))
 */
export function serveFileBackend(port: IoPort, backend: FileBackend | Promise<FileBackend>): void {
  const writers = new Map<number, { w: FileWriter; failed: unknown }>()
  let nextWriter = 1
  let queue: Promise<void> = Promise.resolve()
  const ready = Promise.resolve(backend)
  ready.catch(() => {}) // reported to each request instead

  const writer = (id: number) => {
    const entry = writers.get(id)
    if (!entry) throw new Error(`I/O writer ${id} is not open`)
    return entry
  }
  const usable = (id: number) => {
    const entry = writer(id)
    if (entry.failed !== undefined) throw entry.failed
    return entry.w
  }

  const handle = async (call: IoCall): Promise<{ value?: unknown; transfer?: Transferable[] }> => {
    const files = await ready
    switch (call.type) {
      case 'openWriter': {
        const id = nextWriter++
        writers.set(id, { w: await files.openWriter(call.name), failed: undefined })
        return { value: id }
      }
      case 'read':
        return bytesReply(await files.read(call.name, call.at, call.length))
      case 'blob':
        return { value: await files.blob(call.name) }
      case 'remove':
        await files.remove(call.name)
        return {}
      case 'list':
        return { value: await files.list() }
      case 'write': {
        const entry = writer(call.writer)
        if (entry.failed !== undefined) throw entry.failed
        try {
          await entry.w.write(call.bytes, call.at)
        } catch (err) {
          entry.failed = err
          throw err
        }
        return {}
      }
      case 'writerRead':
        return bytesReply(await usable(call.writer).read(call.at, call.length))
      case 'flush':
        await usable(call.writer).flush()
        return {}
      case 'truncate':
        await usable(call.writer).truncate(call.size)
        return {}
      case 'close': {
        const entry = writers.get(call.writer)
        writers.delete(call.writer)
        await entry?.w.close()
        return {}
      }
    }
  }

  const answer = async (
    req: IoRequest,
    work: Promise<{ value?: unknown; transfer?: Transferable[] }>,
  ) => {
    let reply: IoReply
    let transfer: Transferable[] = []
    try {
      const r = await work
      reply = { id: req.id, ok: true, value: r.value }
      transfer = r.transfer ?? []
    } catch (error) {
      reply = { id: req.id, ok: false, error }
    }
    port.postMessage(reply, transfer)
  }

  port.onmessage = (e: MessageEvent) => {
    const req = e.data as IoRequest
    queue = queue.then(async () => {
      // A file read takes its turn (it sees every write before it) but does not hold the queue
      // while it waits: the first read of a file without an open writer opens a read handle,
      // browser round trips that other requests need not wait for.
      if (req.type === 'read') {
        const files = await ready.catch(() => null)
        if (files) {
          void answer(req, files.read(req.name, req.at, req.length).then(bytesReply))
          return
        }
      }
      await answer(req, handle(req))
    })
  }
}

function bytesReply(bytes: Uint8Array<ArrayBuffer>) {
  return { value: bytes, transfer: [bytes.buffer] }
}
