import { describe, expect, it } from 'vitest'
import { createFakeClock, type FakeClock } from '../seed/_fakeClock.ts'
import { createTokenBucket } from '../seed/tokenBucket.ts'
import { BLOCK_BYTES } from './constants.ts'
import { capTorrentDownload } from './downloadCap.ts'

type FakeWire = { requests: { length: number }[] }

/** webtorrent's request loop as far as the cap sees it: fill each wire's pipeline. */
class FakeTorrent {
  destroyed = false
  readonly wires: FakeWire[]
  updates = 0

  constructor(
    wires: number,
    private readonly pipeline: number,
  ) {
    this.wires = Array.from({ length: wires }, () => ({ requests: [] }))
  }
  _update(): void {
    this.updates++
    for (const w of this.wires) this._updateWire(w)
  }
  _updateWire(wire: FakeWire): void {
    while (this._request(wire, 0, false)) {}
  }
  _request(wire: FakeWire, _index: number, _hotswap: boolean): boolean {
    if (wire.requests.length >= this.pipeline) return false
    wire.requests.push({ length: BLOCK_BYTES })
    return true
  }
}

/** Peers that answer every request within `everyMs`; webtorrent looks again after each block. */
function fastPeers(clock: FakeClock, t: FakeTorrent, everyMs: number): { received: () => number } {
  let received = 0
  const tick = () => {
    for (const w of t.wires) {
      for (const r of w.requests) received += r.length
      w.requests = []
    }
    t._update()
    clock.setTimeout(tick, everyMs)
  }
  clock.setTimeout(tick, everyMs)
  return { received: () => received }
}

describe('download cap on a torrent', () => {
  it('holds a configured rate within ±10 % over 10 s (simulated clock)', async () => {
    const clock = createFakeClock()
    const rate = 4_000_000
    const bucket = createTokenBucket({ rate, clock })
    const t = new FakeTorrent(2, 8)
    capTorrentDownload(t, bucket)
    const peers = fastPeers(clock, t, 20)
    t._update()
    await clock.advance(1_000) // past the first burst
    const before = peers.received()
    await clock.advance(10_000)
    const measured = (peers.received() - before) / 10
    expect(Math.abs(measured - rate) / rate).toBeLessThanOrEqual(0.1)
    bucket.close()
  })

  it('passes requests untouched when uncapped, and wakes the torrent when the cap is lifted', async () => {
    const clock = createFakeClock()
    const bucket = createTokenBucket({ rate: 100_000, burst: BLOCK_BYTES, clock })
    const t = new FakeTorrent(1, 8)
    capTorrentDownload(t, bucket)
    const wire = t.wires[0] as FakeWire
    t._update()
    // One block took the burst, the rest of the pipeline went into debt; the gate is shut.
    expect(wire.requests).toHaveLength(8)
    wire.requests = []
    t._update()
    expect(wire.requests).toHaveLength(0)
    bucket.setRate(Number.POSITIVE_INFINITY)
    await clock.advance(1)
    expect(wire.requests).toHaveLength(8) // woken: the debt was forgiven with the cap
    wire.requests = []
    t._update()
    expect(wire.requests).toHaveLength(8)
  })

  it('a destroyed torrent is not woken', async () => {
    const clock = createFakeClock()
    const bucket = createTokenBucket({ rate: 100_000, burst: BLOCK_BYTES, clock })
    const t = new FakeTorrent(1, 4)
    capTorrentDownload(t, bucket)
    t._update()
    ;(t.wires[0] as FakeWire).requests = []
    t._update() // gated: a wake is queued behind the debt
    const updates = t.updates
    t.destroyed = true
    await clock.advance(10_000)
    expect(t.updates).toBe(updates)
  })
})
