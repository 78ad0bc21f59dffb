/**
 * The OPFS {@link FileBackend} (DESIGN §2): one file per item under `hashcard/v1/` in the origin
 * private file system, written through a sync access handle (dedicated worker only; ≈ 700 MB/s
 * here, PLATFORM.md). A sync access handle locks its file, so reads of a file being written go
 * through the same handle; other reads go through a read-only sync access handle kept while
 * the file is being read (a writer, a blob or a remove closes it first), so one backend per
 * directory must know every handle open on its files (ioServer.ts shares one per directory).
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
type SyncFileHandle = FileSystemFileHandle & {
  createSyncAccessHandle(options?: { mode?: 'readwrite' | 'read-only' }): Promise<SyncHandle>
}
type Reader = { h: Promise<SyncHandle>; timer: ReturnType<typeof setTimeout> | undefined }

/** How long a file read for a stream or a peer stays open after its last read. */
const READER_IDLE_MS = 3_000

export const OPFS_DIR = 'hashcard-v1'

export class OpfsBackend implements FileBackend {
  private readonly open = new Map<string, SyncHandle>()
  private readonly handles = new Map<string, Promise<FileSystemFileHandle>>()
  private readonly readers = new Map<string, Reader>()
  private constructor(private readonly dir: FileSystemDirectoryHandle) {}

  /** Opens (creating) the store's directory in OPFS. */
  static async create(dirName = OPFS_DIR): Promise<OpfsBackend> {
    const root = await navigator.storage.getDirectory()
    return new OpfsBackend(await root.getDirectoryHandle(dirName, { create: true }))
  }

  async openWriter(name: string): Promise<FileWriter> {
    if (this.open.has(name)) throw new Error(`OPFS file ${name} is already open for writing`)
    await this.closeReader(name)
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
    return readHandle(await this.reader(name), at, length)
  }

  /**
   * A read-only sync access handle on `name`, kept until {@link READER_IDLE_MS} pass without a
   * read: a stream reads slice after slice, and a sync read is a copy where `getFile()` was
   * browser round trips (≈ 70 MB/s for 256 KiB reads here). Opening the file for writing,
   * as a blob, or removing it closes the handle first.
   */
  private reader(name: string): Promise<SyncHandle> {
    let r = this.readers.get(name)
    if (!r) {
      const entry: Reader = {
        h: this.handle(name).then((fh) =>
          (fh as SyncFileHandle).createSyncAccessHandle({ mode: 'read-only' }),
        ),
        timer: undefined,
      }
      entry.h.catch(() => {
        if (this.readers.get(name) === entry) this.readers.delete(name)
      })
      this.readers.set(name, entry)
      r = entry
    }
    const entry = r
    clearTimeout(entry.timer)
    entry.timer = setTimeout(() => void this.closeReader(name, entry), READER_IDLE_MS)
    return entry.h
  }

  private async closeReader(name: string, only?: Reader): Promise<void> {
    const r = this.readers.get(name)
    if (!r || (only && r !== only)) return
    this.readers.delete(name)
    clearTimeout(r.timer)
    await r.h.then(
      (h) => h.close(),
      () => {},
    )
  }

  async blob(name: string): Promise<Blob | null> {
    await this.closeReader(name)
    try {
      return await (await this.handle(name)).getFile()
    } catch {
      return null
    }
  }

  /** A file's handle, kept: looking one up is a round trip to the browser per read. */
  private async handle(name: string): Promise<FileSystemFileHandle> {
    let h = this.handles.get(name)
    if (!h) {
      h = this.dir.getFileHandle(name)
      this.handles.set(name, h)
      h.catch(() => this.handles.delete(name))
    }
    return h
  }

  async remove(name: string): Promise<void> {
    await this.closeReader(name)
    this.handles.delete(name)
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
