/**
 * The I/O worker that owns the store's OPFS sync access handles (src/shared/protocol/io.ts explains
 * why they get a worker of their own). The node worker starts it once and connects a {@link
 * WorkerFileBackend} per OPFS directory; benchmarks and browser checks start the same code from
 * their own bundle (`serveOpfsIo`, ioServer.ts).
 */
import type { FileBackend } from './fileBackend.ts'
import { OPFS_DIR, OpfsBackend } from './opfsBackend.ts'
import { WorkerFileBackend } from './workerBackend.ts'

/**
 * The store's OPFS backend as the app uses it: through the I/O worker where a worker can start
 * one (Chromium, Firefox, Safari ≥ 15.5), else the sync handles in this worker.
 * @example const files = await opfsFiles()
 */
export async function opfsFiles(dir = OPFS_DIR): Promise<FileBackend> {
  if (typeof Worker !== 'function') return OpfsBackend.create(dir)
  if (!io) {
    const worker = new Worker(new URL('./opfsIo.worker.ts', import.meta.url), {
      type: 'module',
      name: 'hashcard-opfs-io',
    })
    const backends: WorkerFileBackend[] = []
    io = { worker, backends }
    // A worker that fails to load or crashes fails its callers; the next open starts another.
    worker.addEventListener('error', (e) => {
      if (io?.worker === worker) io = null
      for (const b of backends) b.fail(e.message || 'the I/O worker failed')
    })
  }
  const backend = WorkerFileBackend.connect(io.worker, dir)
  io.backends.push(backend)
  return backend
}
let io: { worker: Worker; backends: WorkerFileBackend[] } | null = null
