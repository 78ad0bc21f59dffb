/**
 * The I/O worker that owns the store's OPFS sync access handles (src/shared/protocol/io.ts explains
 * why they get a worker of their own). The node worker starts it once and connects a {@link
 * WorkerFileBackend} per OPFS directory; benchmarks and browser checks start the same code from
 * their own bundle (`serveOpfsIo`, ioServer.ts).
 */
import type { FileBackend } from './fileBackend.ts'
import { OPFS_DIR, OpfsBackend } from './opfsBackend.ts'
import { WorkerFileBackend } from './workerBackend.ts'

/** The I/O worker of one node and the backends connected to it. */
export type OpfsIo = {
  /** A backend for one OPFS directory (the store's by default). */
  files(dir?: string): Promise<FileBackend>
  /** Ends the I/O worker (the node stops). */
  stop(): void
}

/**
 * The store's OPFS access as the app uses it: through an I/O worker where a worker can start
 * one (Chromium, Firefox, Safari ≥ 15.5), else the sync handles in this worker. The store
 * service owns one; a worker that fails is replaced at the next `files()`.
 * @example const io = startOpfsIo(); const files = await io.files()
 */
export function startOpfsIo(): OpfsIo {
  let io: { worker: Worker; backends: WorkerFileBackend[] } | null = null
  return {
    async files(dir = OPFS_DIR) {
      if (typeof Worker !== 'function') return OpfsBackend.create(dir)
      if (!io) {
        const worker = new Worker(new URL('./opfsIo.worker.ts', import.meta.url), {
          type: 'module',
          name: 'hashcard-opfs-io',
        })
        const current = { worker, backends: [] as WorkerFileBackend[] }
        io = current
        // A worker that fails to load or crashes fails its callers; the next open starts another.
        worker.addEventListener('error', (e) => {
          if (io === current) io = null
          for (const b of current.backends) b.fail(e.message || 'the I/O worker failed')
        })
      }
      const backend = WorkerFileBackend.connect(io.worker, dir)
      io.backends.push(backend)
      return backend
    },
    stop() {
      io?.worker.terminate()
      io = null
    },
  }
}
