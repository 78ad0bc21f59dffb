/**
 * A torrent piece being downloaded, in blocks of {@link BLOCK_BYTES} (torrent-piece's shape,
 * whose 16 KiB block is a module constant). webtorrent asks the piece for block reservations
 * and offsets only, so swapping this class in changes the request size on the wire.
 */
import { BLOCK_BYTES } from './constants.ts'

export class BigPiece {
  readonly length: number
  missing: number
  sources: unknown[] | null = null
  private readonly chunks: number
  private readonly remainder: number
  private readonly block: number
  private buffered = 0
  private buffer: (Uint8Array | undefined)[] | null = null
  private cancellations: number[] | null = null
  private reservations = 0
  private flushed = false

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
      if (!this.sources!.includes(source)) this.sources!.push(source)
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
    this.buffer = null
    this.cancellations = null
    this.sources = null
    this.flushed = true
    return out
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
