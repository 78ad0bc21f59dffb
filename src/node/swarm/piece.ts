/**
 * A torrent piece being downloaded, in blocks of {@link BLOCK_BYTES} (torrent-piece's shape,
 * whose 16 KiB block is a module constant). webtorrent asks the piece for block reservations
 * and offsets only, so swapping this class in changes the request size on the wire.
 */
import { equalBytes } from '../crypto/bytes.ts'
import { BLOCK_BYTES } from './constants.ts'

/** A block of a piece as one peer sent it. */
export type Contribution = { source: unknown; offset: number; bytes: Uint8Array }

export class BigPiece {
  readonly length: number
  missing: number
  /** The peer that sent each block (index = block), until the piece is verified or dropped. */
  sources: unknown[] | null = null
  private readonly chunks: number
  private readonly remainder: number
  private readonly block: number
  private buffered = 0
  private buffer: (Uint8Array | undefined)[] | null = null
  private cancellations: number[] | null = null
  private reservations = 0
  private flushed = false
  private flushedBytes: Uint8Array | null = null

  constructor(length: number, block = BLOCK_BYTES) {
    this.length = length
    this.missing = length
    this.block = block
    this.chunks = Math.ceil(length / block)
    this.remainder = length % block || block
  }

  chunkLength(i: number): number {
    return i === this.chunks - 1 ? this.remainder : this.block
  }
  chunkLengthRemaining(i: number): number {
    return this.length - i * this.block
  }
  chunkOffset(i: number): number {
    return i * this.block
  }
  /** The block index holding byte `offset` (for cancelling a request). */
  blockAt(offset: number): number {
    return Math.floor(offset / this.block)
  }
  reserve(): number {
    if (!this.init()) return -1
    if (this.cancellations!.length) return this.cancellations!.pop() as number
    if (this.reservations < this.chunks) return this.reservations++
    return -1
  }
  reserveRemaining(): number {
    if (!this.init()) return -1
    if (this.cancellations!.length || this.reservations < this.chunks) {
      let min = this.reservations
      while (this.cancellations!.length) min = Math.min(min, this.cancellations!.pop() as number)
      this.reservations = this.chunks
      return min
    }
    return -1
  }
  /** Some blocks are requested and some are not yet: the picker finishes such a piece first. */
  get partlyReserved(): boolean {
    if (!this.cancellations || this.reservations === 0) return false
    return this.cancellations.length > 0 || this.reservations < this.chunks
  }
  cancel(i: number): void {
    if (!this.init()) return
    if (!this.buffer![i] && !this.cancellations!.includes(i)) this.cancellations!.push(i)
  }
  cancelRemaining(i: number): void {
    if (!this.init()) return
    this.reservations = i
  }
  get(i: number): Uint8Array | null {
    if (!this.init()) return null
    return this.buffer![i] ?? null
  }
  set(i: number, data: Uint8Array, source: unknown): boolean {
    if (!this.init()) return false
    const blocks = Math.ceil(data.length / this.block)
    for (let j = 0; j < blocks; j++) {
      if (this.buffer![i + j]) continue
      const part = data.subarray(j * this.block, (j + 1) * this.block)
      this.buffered++
      this.buffer![i + j] = part
      this.missing -= part.length
      this.sources![i + j] = source
    }
    return this.buffered === this.chunks
  }
  flush(): Uint8Array | null {
    if (!this.buffer || this.chunks !== this.buffered) return null
    const out = new Uint8Array(this.length)
    let o = 0
    for (const b of this.buffer) {
      out.set(b as Uint8Array, o)
      o += (b as Uint8Array).length
    }
    this.flushedBytes = out
    this.buffer = null
    this.cancellations = null
    this.flushed = true
    return out
  }
  /**
   * After a flush: each block's bytes and the peer that sent them, so that a piece failing
   * its hash can be blamed on the peers whose blocks differ from the piece once verified.
   */
  contributions(): Contribution[] {
    const bytes = this.flushedBytes
    const sources = this.sources
    if (!bytes || !sources) return []
    return sources.map((source, j) => ({
      source,
      offset: j * this.block,
      bytes: bytes.subarray(j * this.block, (j + 1) * this.block),
    }))
  }
  init(): boolean {
    if (this.flushed) return false
    if (this.buffer) return true
    this.buffer = new Array(this.chunks)
    this.cancellations = []
    this.sources = []
    return true
  }
}

/**
 * The peers whose blocks of a piece that failed its hash differ from the same bytes of the
 * piece once verified (libtorrent's "smart ban"): exactly the peers that sent bad data, so
 * an honest peer that shared a failed piece with a bad one is never blamed.
 */
export function culprits(failed: Iterable<Contribution>, verified: Uint8Array): Set<unknown> {
  const out = new Set<unknown>()
  for (const c of failed) {
    const good = verified.subarray(c.offset, c.offset + c.bytes.length)
    if (good.length !== c.bytes.length || !equalBytes(good, c.bytes)) out.add(c.source)
  }
  return out
}
