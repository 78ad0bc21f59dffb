/**
 * The OPFS {@link FileBackend} (DESIGN §2): one file per item under `hashcard/v1/` in the origin
 * private file system, written through a sync access handle (dedicated worker only; ≈ 700 MB/s
 * here, PLATFORM.md). A sync access handle locks its file, so reads of a file being written go
 * through the same handle; other reads use `getFile().slice()`, as the Service Worker does.
 *
 * Measured (bench/crypto.ts): in a normal profile writes land in the page cache at 0.7–1.7 GB/s
 * and `flush()` is an fdatasync; writes that grow a file ask the browser for capacity, so a
 * writer that knows the final size truncates to it first. In an off-the-record profile (a
 * default Playwright context) OPFS is in memory and every call is an IPC: ≈ 60–160 MB/s.
 * On this machine's ext4 disk, now and then a write stalls for ≈ 0.4–0.5 s, with or without
 * periodic flushes and more often when the machine is busy; Python's pwrite/fdatasync on the
 * same disk shows the same, so it is the kernel's, not this code's. The app calls these
 * methods from an I/O worker (opfsIo.ts), where a stall does not stop the node worker.
 */
import type { FileBackend, FileWriter } from './fileBackend.ts'

/** The parts of `FileSystemSyncAccessHandle` we use (worker-only, absent from the DOM lib). */
interface SyncHandle {
  read(buffer: Uint8Array, options: { at: number }): number
  write(buffer: Uint8Array, options: { at: number }): number
  flush(): void
  truncate(size: number): void
  getSize(): number
  close(): void
}
type SyncFileHandle = FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncHandle> }

export const OPFS_DIR = 'hashcard-v1'

export class OpfsBackend implements FileBackend {
  private readonly open = new Map<string, SyncHandle>()
  private constructor(private readonly dir: FileSystemDirectoryHandle) {}

  /** Opens (creating) the store's directory in OPFS. */
  static async create(dirName = OPFS_DIR): Promise<OpfsBackend> {
    const root = await navigator.storage.getDirectory()
    return new OpfsBackend(await root.getDirectoryHandle(dirName, { create: true }))
  }

  async openWriter(name: string): Promise<FileWriter> {
    if (this.open.has(name)) throw new Error(`OPFS file ${name} is already open for writing`)
    const fh = (await this.dir.getFileHandle(name, { create: true })) as SyncFileHandle
    const h = await fh.createSyncAccessHandle()
    this.open.set(name, h)
    let closed = false
    return {
      write: async (bytes, at) => {
        let off = 0
        while (off < bytes.length) off += h.write(bytes.subarray(off), { at: at + off })
      },
      read: async (at, length) => readHandle(h, at, length),
      flush: async () => h.flush(),
      truncate: async (size) => h.truncate(size),
      close: async () => {
        if (closed) return
        closed = true
        h.flush()
        h.close()
        this.open.delete(name)
      },
    }
  }

  async read(name: string, at: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
    const h = this.open.get(name)
    if (h) return readHandle(h, at, length)
    const file = await (await this.dir.getFileHandle(name)).getFile()
    return new Uint8Array(await file.slice(at, at + length).arrayBuffer())
  }

  async blob(name: string): Promise<Blob | null> {
    try {
      return await (await this.dir.getFileHandle(name)).getFile()
    } catch {
      return null
    }
  }

  async remove(name: string): Promise<void> {
    const h = this.open.get(name)
    if (h) {
      h.close()
      this.open.delete(name)
    }
    await this.dir.removeEntry(name).catch((err: unknown) => {
      if (!(err instanceof DOMException && err.name === 'NotFoundError')) throw err
    })
  }

  async list(): Promise<string[]> {
    const names: string[] = []
    const it = (this.dir as unknown as { keys(): AsyncIterable<string> }).keys()
    for await (const k of it) names.push(k)
    return names
  }
}

function readHandle(h: SyncHandle, at: number, length: number): Uint8Array<ArrayBuffer> {
  const n = Math.max(0, Math.min(length, h.getSize() - at))
  const buf = new Uint8Array(n)
  let off = 0
  while (off < n) {
    const r = h.read(buf.subarray(off), { at: at + off })
    if (r <= 0) break
    off += r
  }
  return buf
}
