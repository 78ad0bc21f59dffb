import { describe, expect, it } from 'vitest'
import { createFakeClock, type FakeClock } from '../seed/_fakeClock.ts'
import { createTokenBucket, type TokenBucket } from '../seed/tokenBucket.ts'
import { BLOCK_BYTES } from './constants.ts'
import { createRateCaps, type RateLimits, type RateSource } from './rateCaps.ts'
import { capWireUpload } from './uploadCap.ts'

type Block = { index: number; offset: number; length: number }

/** A bittorrent-protocol wire as far as the cap sees it: `piece` records what left. */
class FakeWire {
  readonly sent: Block[] = []
  readonly rejected: Block[] = []
  amChoking = false
  hasFast = false
  allowedFastSet: number[] = []
  destroyed = false
  /** Called after each block leaves (the peer asks for the next one). */
  onSent: (() => void) | null = null
  private readonly closers: (() => void)[] = []

  piece(index: number, offset: number, buffer: Uint8Array): void {
    this.sent.push({ index, offset, length: buffer.length })
    this.onSent?.()
  }
  reject(index: number, offset: number, length: number): void {
    this.rejected.push({ index, offset, length })
  }
  once(_ev: 'close', fn: () => void): void {
    this.closers.push(fn)
  }
  close(): void {
    this.destroyed = true
    for (const fn of this.closers) fn()
  }
  bytes(): number {
    return this.sent.reduce((s, b) => s + b.length, 0)
  }
}

const block = new Uint8Array(BLOCK_BYTES)

/** `n` wires each kept `depth` blocks deep by a peer that asks again for each block it gets. */
function busyWires(n: number, depth: number, bucket: TokenBucket): FakeWire[] {
  return Array.from({ length: n }, () => {
    const wire = new FakeWire()
    capWireUpload(wire, bucket)
    let next = 0
    // webtorrent answers a request after a store read: a promise turn later.
    const ask = () => queueMicrotask(() => wire.piece(next++, 0, block))
    wire.onSent = ask
    for (let i = 0; i < depth; i++) wire.piece(next++, 0, block)
    return wire
  })
}

const total = (wires: FakeWire[]) => wires.reduce((s, w) => s + w.bytes(), 0)

async function measure(clock: FakeClock, wires: FakeWire[], ms: number): Promise<number> {
  const before = total(wires)
  await clock.advance(ms)
  return ((total(wires) - before) * 1000) / ms
}

describe('upload cap on the wires', () => {
  it('holds a configured rate within ±10 % over 10 s across three busy wires (simulated clock)', async () => {
    const clock = createFakeClock()
    const rate = 2_000_000
    const bucket = createTokenBucket({ rate, clock })
    const wires = busyWires(3, 8, bucket)
    const measured = await measure(clock, wires, 10_000)
    expect(Math.abs(measured - rate) / rate).toBeLessThanOrEqual(0.1)
    // Shared fairly: no wire starves (first come, first served across wires).
    for (const w of wires) expect(w.bytes()).toBeGreaterThan(0.25 * rate * 10)
    bucket.close()
  })

  it('follows a live change of the settings: the new rate holds within ±10 % over 10 s', async () => {
    const clock = createFakeClock()
    let limits: RateLimits = { upload: 2_000_000, download: null }
    const listeners = new Set<(l: RateLimits) => void>()
    const source: RateSource = {
      current: () => limits,
      onChange: (fn) => {
        listeners.add(fn)
        return () => listeners.delete(fn)
      },
    }
    const caps = createRateCaps(source, clock)
    const wires = busyWires(2, 8, caps.upload)
    await clock.advance(5_000)
    limits = { upload: 500_000, download: 1_000_000 }
    for (const fn of listeners) fn(limits)
    expect(caps.upload.state.rate).toBe(500_000)
    expect(caps.download.state.rate).toBe(1_000_000)
    await clock.advance(1_000) // what was queued at the old burst drains
    const measured = await measure(clock, wires, 10_000)
    expect(Math.abs(measured - 500_000) / 500_000).toBeLessThanOrEqual(0.1)
    caps.close()
    expect(listeners.size).toBe(0)
  })

  it('delays blocks but never drops one: every block leaves once, in order, per wire', async () => {
    const clock = createFakeClock()
    const bucket = createTokenBucket({ rate: 1_000_000, clock })
    const a = new FakeWire()
    const b = new FakeWire()
    capWireUpload(a, bucket)
    capWireUpload(b, bucket)
    for (let i = 0; i < 40; i++) (i % 2 ? b : a).piece(i, i * BLOCK_BYTES, block)
    expect(a.sent.length + b.sent.length).toBeLessThan(40) // the burst let only some through
    await clock.advance(10_000)
    expect(a.sent.map((s) => s.index)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i))
    expect(b.sent.map((s) => s.index)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 1))
    expect(bucket.state.waiting).toBe(0)
  })

  it('sends at once, without a promise turn, when tokens are there', () => {
    const bucket = createTokenBucket({ rate: 1_000_000, clock: createFakeClock() })
    const wire = new FakeWire()
    capWireUpload(wire, bucket)
    wire.piece(0, 0, block)
    expect(wire.sent).toHaveLength(1)
  })

  it('a block whose peer was choked while it waited is rejected (fast extension) or not sent', async () => {
    for (const hasFast of [true, false]) {
      const clock = createFakeClock()
      const bucket = createTokenBucket({ rate: 100_000, burst: BLOCK_BYTES, clock })
      const wire = new FakeWire()
      wire.hasFast = hasFast
      wire.allowedFastSet = [7]
      capWireUpload(wire, bucket)
      wire.piece(0, 0, block) // the whole burst
      wire.piece(1, 0, block) // waits
      wire.piece(7, 0, block) // waits, but is in the allowed-fast set
      wire.amChoking = true
      await clock.advance(5_000)
      // Allowed-fast pieces are served through a choke only on a wire that speaks BEP 6.
      expect(wire.sent.map((s) => s.index)).toEqual(hasFast ? [0, 7] : [0])
      expect(wire.rejected).toEqual(hasFast ? [{ index: 1, offset: 0, length: BLOCK_BYTES }] : [])
    }
  })

  it('a wire that closes drops what it had queued and leaves the bucket to the others', async () => {
    const clock = createFakeClock()
    const bucket = createTokenBucket({ rate: 100_000, burst: BLOCK_BYTES, clock })
    const gone = new FakeWire()
    const other = new FakeWire()
    capWireUpload(gone, bucket)
    capWireUpload(other, bucket)
    gone.piece(0, 0, block)
    gone.piece(1, 0, block)
    other.piece(2, 0, block)
    gone.close()
    await clock.advance(1_000)
    expect(gone.sent.map((s) => s.index)).toEqual([0])
    expect(other.sent.map((s) => s.index)).toEqual([2])
    expect(bucket.state.waiting).toBe(0)
  })
})
