/**
 * An in-memory {@link FileBackend} for Node tests. It models durability: bytes written but not
 * flushed are lost by {@link MemoryBackend.crash}, and `failAfterWrites` makes a write throw,
 * to test that a crash never leaves a slice marked verified that is not on "disk". `quotaBytes`
 * models the origin's quota: a write or truncate that would grow the files past it throws the
 * DOMException a browser throws (`QuotaExceededError`).
 */
import type { FileBackend, FileWriter } from './fileBackend.ts'

type Entry = { durable: Uint8Array; pending: { bytes: Uint8Array; at: number }[] }

export class MemoryBackend implements FileBackend {
  readonly files = new Map<string, Entry>()
  /** Writes left before the next one throws (for fault injection); Infinity = never. */
  failAfterWrites = Number.POSITIVE_INFINITY
  writes = 0
  bytesWritten = 0
  /** The most bytes all files may hold together (the origin's quota); Infinity = no limit. */
  quotaBytes = Number.POSITIVE_INFINITY

  async openWriter(name: string): Promise<FileWriter> {
    let entry = this.files.get(name)
    if (!entry) {
      entry = { durable: new Uint8Array(0), pending: [] }
      this.files.set(name, entry)
    }
    const e = entry
    let open = true
    const check = () => {
      if (!open) throw new Error(`memory file ${name} is closed`)
    }
    return {
      write: async (bytes, at) => {
        check()
        if (this.failAfterWrites-- <= 0) throw new Error('injected write failure')
        this.checkQuota(e, at + bytes.length)
        this.writes++
        this.bytesWritten += bytes.length
        e.pending.push({ bytes: bytes.slice(), at })
      },
      read: async (at, length) => {
        check()
        return readFrom(applied(e), at, length)
      },
      flush: async () => {
        check()
        e.durable = applied(e)
        e.pending = []
      },
      truncate: async (size) => {
        check()
        this.checkQuota(e, size)
        const d = applied(e)
        e.durable = d.length >= size ? d.slice(0, size) : grow(d, size)
        e.pending = []
      },
      close: async () => {
        if (open) {
          e.durable = applied(e)
          e.pending = []
        }
        open = false
      },
    }
  }

  async read(name: string, at: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
    const e = this.files.get(name)
    if (!e) throw new Error(`memory file ${name} not found`)
    return readFrom(applied(e), at, length)
  }

  async blob(name: string): Promise<Blob | null> {
    const e = this.files.get(name)
    return e ? new Blob([applied(e) as Uint8Array<ArrayBuffer>]) : null
  }

  async remove(name: string): Promise<void> {
    this.files.delete(name)
  }

  async list(): Promise<string[]> {
    return [...this.files.keys()]
  }

  /** Throws as a browser does when growing `e` to `size` bytes would pass the quota. */
  private checkQuota(e: Entry, size: number): void {
    let total = 0
    for (const f of this.files.values()) total += f === e ? Math.max(size, extent(f)) : extent(f)
    if (total > this.quotaBytes)
      throw new DOMException(
        `memory backend: ${total} bytes would exceed the quota of ${this.quotaBytes}`,
        'QuotaExceededError',
      )
  }

  /** Loses every write not yet flushed, as a killed tab would. */
  crash(): void {
    for (const e of this.files.values()) e.pending = []
  }

  /** Flips one bit of a stored byte (simulated disk corruption). */
  corrupt(name: string, at: number): void {
    const e = this.files.get(name)
    if (!e) throw new Error(`memory file ${name} not found`)
    e.durable = applied(e)
    e.pending = []
    e.durable[at] = e.durable[at]! ^ 0x01
  }
}

function applied(e: Entry): Uint8Array {
  let d = e.durable
  for (const { bytes, at } of e.pending) {
    if (at + bytes.length > d.length) d = grow(d, at + bytes.length)
    else if (d === e.durable) d = d.slice()
    d.set(bytes, at)
  }
  return d
}

/** The size a file has with its pending writes applied. */
function extent(e: Entry): number {
  let size = e.durable.length
  for (const { bytes, at } of e.pending) size = Math.max(size, at + bytes.length)
  return size
}

function grow(d: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size)
  out.set(d)
  return out
}

function readFrom(d: Uint8Array, at: number, length: number): Uint8Array<ArrayBuffer> {
  return d.slice(at, Math.min(d.length, at + length)) as Uint8Array<ArrayBuffer>
}
