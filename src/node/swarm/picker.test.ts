import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import { BLOCK_BYTES } from './constants.ts'
import { installPicker, type PickerOptions } from './picker.ts'
import { BigPiece } from './piece.ts'

/**
 * A torrent of two pieces whose wires all have both and unchoke us. The wires join it after
 * the picker is installed (which would otherwise set each one up as webtorrent's own).
 */
function torrent(names: string[]) {
  const wires = names.map(
    (name) =>
      ({
        name,
        destroyed: false,
        peerChoking: false,
        peerPieces: { get: () => true },
      }) as unknown as Wire,
  )
  const t = Object.assign(new EventEmitter(), {
    pieces: [0, 1].map(() => new BigPiece(4 * BLOCK_BYTES)),
    wires: [] as Wire[],
    _critical: [] as boolean[],
    _markUnverified: () => {},
    _updateWire: () => {},
    _request: () => true,
  }) as unknown as Torrent
  return { t, wires, join: () => t.wires.push(...wires) }
}

describe('installPicker: prices (hc_pay)', () => {
  it('asks a priced wire outside the window only when no cheaper one can serve', () => {
    const { t, wires, join } = torrent(['free', 'cheap', 'dear', 'off'])
    const [free, cheap, dear, off] = wires as [Wire, Wire, Wire, Wire]
    const prices = new Map([
      [free, 0],
      [cheap, 5],
      [dear, 10],
      [off, Number.POSITIVE_INFINITY],
    ])
    const picker = installPicker(t, {
      deadlineMs: 1_000,
      tickMs: 60_000,
      priceOf: (w) => prices.get(w) ?? 0,
    })
    join()
    expect(t._request(dear, 0, false)).toBe(false)
    expect(t._request(cheap, 0, false)).toBe(false)
    expect(t._request(free, 0, false)).toBe(true)
    t._critical[1] = true // inside the deadline window price does not matter…
    expect(t._request(dear, 1, false)).toBe(true)
    expect(t._request(off, 1, false)).toBe(false) // …but a refused wire is never asked
    free.peerChoking = true // the free peer chokes us: the cheapest that can serve is asked
    expect(t._request(dear, 0, false)).toBe(false)
    expect(t._request(cheap, 0, false)).toBe(true)
    picker.stop()
  })

  it('changes nothing when every price is 0', () => {
    const { t, wires, join } = torrent(['a', 'b'])
    const picker = installPicker(t, { deadlineMs: 1_000, tickMs: 60_000, priceOf: () => 0 })
    join()
    for (const w of wires) expect(t._request(w, 0, false)).toBe(true)
    picker.stop()
  })
})

describe('installPicker: a wire at its credit (hc_pay)', () => {
  /**
   * A torrent of `n` pieces with webtorrent's rarest-first walk, reduced: `_updateWire` asks the
   * rarity map for the rarest untried piece until it has none, trying to request each. The
   * map counts its full scans.
   */
  function rarestFirst(n: number) {
    const wire = {
      peerId: 'w',
      destroyed: false,
      peerChoking: false,
      peerPieces: { get: () => true },
    } as unknown as Wire
    const requested: number[] = []
    const rarity = {
      scans: 0,
      getRarestPiece(filter?: (i: number) => boolean) {
        rarity.scans += 1
        for (let i = 0; i < n; i++) if (!filter || filter(i)) return i
        return -1
      },
    }
    const t = Object.assign(new EventEmitter(), {
      pieces: Array.from({ length: n }, () => new BigPiece(4 * BLOCK_BYTES)),
      wires: [] as Wire[],
      _critical: [] as boolean[],
      _rarityMap: rarity,
      _markUnverified: () => {},
      _request: (_w: Wire, i: number) => {
        requested.push(i)
        return true
      },
      _updateWire(w: Wire) {
        const tried = new Set<number>()
        for (;;) {
          const i = t._rarityMap?.getRarestPiece((k) => !tried.has(k)) ?? -1
          if (i < 0) return
          tried.add(i)
          t._request(w, i, false)
        }
      },
    }) as unknown as Torrent
    /** The wire joins after the picker is installed (as in the fakes above). */
    const join = () => t.wires.push(wire)
    return { t, wire, requested, rarity, join }
  }

  it('offers a wire only the pieces it may be asked for, without walking every piece', () => {
    const { t, wire, requested, rarity, join } = rarestFirst(64)
    let only: ReadonlySet<number> | null = new Set([40, 7])
    const picker = installPicker(t, {
      deadlineMs: 1_000,
      tickMs: 60_000,
      priceOf: () => 5,
      mayAsk: (_w, i) => only === null || only.has(i),
      askable: () => only,
    })
    join()
    t._updateWire(wire)
    expect(requested).toEqual([40, 7])
    expect(rarity.scans).toBe(0)
    // A wire never to be asked is offered nothing.
    only = new Set()
    requested.length = 0
    t._updateWire(wire)
    expect(requested).toEqual([])
    expect(rarity.scans).toBe(0)
    // Below its credit (null), rarest-first over every piece as before.
    only = null
    t._updateWire(wire)
    expect(requested).toHaveLength(64)
    expect(rarity.scans).toBe(65)
    picker.stop()
  })

  it('walks rarest-first outside _updateWire and for wires with no limit', () => {
    const { t, requested, rarity } = rarestFirst(8)
    const picker = installPicker(t, {
      deadlineMs: 1_000,
      tickMs: 60_000,
      askable: () => new Set([3]),
    })
    // Not inside _updateWire: no wire to ask about, so the map answers.
    expect(t._rarityMap?.getRarestPiece()).toBe(0)
    expect(rarity.scans).toBe(1)
    expect(requested).toEqual([])
    picker.stop()
  })
})

describe('installPicker: slices a reader waits for', () => {
  /** A ready torrent of four pieces, none stored, whose one wire has them all. */
  function ready() {
    const selections: { i: number; priority: number }[] = []
    const wire = {
      peerId: 'a',
      destroyed: false,
      peerChoking: false,
      peerPieces: { get: () => true },
    } as unknown as Wire
    const t = Object.assign(new EventEmitter(), {
      ready: true,
      destroyed: false,
      pieces: [0, 1, 2, 3].map(() => new BigPiece(4 * BLOCK_BYTES)),
      wires: [] as Wire[],
      bitfield: { get: (i: number) => stored.has(i) },
      _critical: [] as boolean[],
      _markUnverified: () => {},
      _updateWire: () => {},
      _request: () => true,
      _select: (i: number, _: number, priority: number) => selections.push({ i, priority }),
      _deselect: (i: number) =>
        selections.splice(
          selections.findIndex((s) => s.i === i),
          1,
        ),
      _update: () => {},
    }) as unknown as Torrent
    const stored = new Set<number>()
    /** Selected slices, highest priority first. */
    const order = () => [...selections].sort((a, b) => b.priority - a.priority).map((s) => s.i)
    /** The wire joins after the picker is installed (as in the fake above). */
    const join = () => t.wires.push(wire)
    return { t, wire, stored, order, join }
  }

  it('come before the window, in the order asked, and hold back requests outside both', () => {
    const { t, wire, stored, order, join } = ready()
    const picker = installPicker(t, { deadlineMs: 1_000, tickMs: 60_000 })
    join()
    picker.setWindow(0, 1)
    expect(t._request(wire, 3, false)).toBe(true) // nothing waited for: rarest-first as before
    picker.want(3)
    picker.want(2)
    expect(order()).toEqual([3, 2, 0, 1])
    expect([0, 1, 2, 3].map((i) => t._critical[i])).toEqual([true, true, true, true])
    picker.setWindow(0, 0)
    expect(order()).toEqual([3, 2, 0])
    expect(t._request(wire, 1, false)).toBe(false) // 1 is neither waited for nor in the window
    expect(t._request(wire, 0, false)).toBe(true)
    expect(t._request(wire, 2, false)).toBe(true)
    // Two readers of slice 2: it stays wanted until both stop waiting.
    picker.want(2)
    picker.unwant(2)
    expect(order()).toEqual([3, 2, 0])
    picker.unwant(2)
    expect(t._request(wire, 1, false)).toBe(false) // slice 3 is still awaited
    stored.add(3) // it arrived (its reader hears so just after): rarest-first again
    expect(t._request(wire, 1, false)).toBe(true)
    picker.unwant(3)
    expect(order()).toEqual([0])
    picker.stop()
  })

  it('waits before the metadata are selected once the torrent is ready', () => {
    const { t, order } = ready()
    Object.assign(t, { ready: false })
    const picker = installPicker(t, { deadlineMs: 1_000, tickMs: 60_000 })
    picker.want(1)
    picker.setWindow(2, 3)
    expect(order()).toEqual([])
    Object.assign(t, { ready: true })
    t.emit('ready')
    expect(order()).toEqual([1, 2, 3])
    picker.stop()
  })
})

describe('installPicker: stalled wires', () => {
  /** A wire as the picker sees it: requests are held until the test answers them. */
  function fakeWire(peerId: string) {
    type Pending = { index: number; offset: number; cb: (e: Error | null, b?: Uint8Array) => void }
    const pending: Pending[] = []
    /** `cancel` messages sent to the peer, as `index:offset:length`. */
    const cancels: string[] = []
    const w = Object.assign(new EventEmitter(), {
      peerId,
      destroyed: false,
      peerChoking: false,
      peerPieces: { get: () => true },
      peerExtendedHandshake: {},
      requests: [] as unknown[],
      request(index: number, offset: number, _length: number, cb: Pending['cb']) {
        pending.push({ index, offset, cb })
      },
      // As bittorrent-protocol's: the request's callback fails at once, then the message goes.
      cancel(index: number, offset: number, length: number) {
        const k = pending.findIndex((p) => p.index === index && p.offset === offset)
        if (k >= 0) pending.splice(k, 1)[0]?.cb(new Error('request was cancelled'))
        cancels.push(`${index}:${offset}:${length}`)
      },
    })
    return { wire: w as unknown as Wire, pending, cancels }
  }
  type FakeWire = ReturnType<typeof fakeWire>

  /** A ready torrent of three 4-block pieces, nothing critical: a download, not a play head. */
  function download() {
    const counter = { updates: 0 }
    const t = Object.assign(new EventEmitter(), {
      ready: true,
      destroyed: false,
      pieces: [0, 1, 2].map(() => new BigPiece(4 * BLOCK_BYTES)),
      wires: [] as Wire[],
      _critical: [] as boolean[],
      _reservations: [[], [], []] as (Wire | null)[][],
      _markUnverified: () => {},
      _updateWire: () => {},
      _request: () => true,
      _update: () => void counter.updates++,
    }) as unknown as Torrent
    const join = (...ws: Wire[]) => {
      for (const w of ws) {
        t.wires.push(w)
        ;(t as unknown as EventEmitter).emit('wire', w)
      }
    }
    return { t, counter, join }
  }

  /**
   * A download (see above) with the picker on fake timers, ticking every 250 ms and stalling a
   * wire after 1.5 s of silence, and the named wires joined; `at(ms)` sets the clock and runs
   * one tick.
   */
  function stallRig(names: string[], opts: Partial<PickerOptions> = {}) {
    vi.useFakeTimers()
    let clock = 0
    const wires = names.map(fakeWire)
    const { t, counter, join } = download()
    const picker = installPicker(t, {
      deadlineMs: 1_000,
      stallMs: 1_500,
      tickMs: 250,
      now: () => clock,
      ...opts,
    })
    join(...wires.map((w) => w.wire))
    const at = (ms: number) => {
      clock = ms
      vi.advanceTimersByTime(250)
    }
    return { t, counter, picker, wires, at }
  }

  afterEach(() => {
    vi.useRealTimers()
  })

  it('re-issues every request of a wire silent for stallMs, and asks it only as a last resort', () => {
    const { t, counter, picker, wires, at } = stallRig(['dead', 'live'])
    const [dead, live] = wires as [FakeWire, FakeWire]
    // Both are asked; only `live` answers, and is asked again.
    dead.wire.request(0, 0, BLOCK_BYTES, () => {})
    dead.wire.request(1, 0, BLOCK_BYTES, () => {})
    live.wire.request(2, 0, BLOCK_BYTES, () => {})
    at(1_000)
    live.pending.shift()?.cb(null, new Uint8Array(BLOCK_BYTES))
    live.wire.request(2, BLOCK_BYTES, BLOCK_BYTES, () => {})
    // Not critical, older than the deadline, but not silent for 1.5 s yet: left alone.
    at(1_250)
    expect(picker.stalled()).toEqual([])
    expect(picker.inflight()).toEqual(new Set([0, 1, 2]))
    expect(picker.reissued()).toBe(0)
    // Past 1.5 s of silence (one tick later): both of its requests go elsewhere, and the wire
    // is told, so a live but slow seeder does not send them after the other peer has.
    at(1_750)
    expect(picker.stalled()).toEqual(['dead'])
    expect(picker.reissued()).toBe(2)
    expect(dead.cancels).toEqual([`0:0:${BLOCK_BYTES}`, `1:0:${BLOCK_BYTES}`])
    expect(dead.pending).toEqual([])
    expect(picker.inflight()).toEqual(new Set([2]))
    expect(counter.updates).toBeGreaterThan(0)
    // `live` has every piece: the stalled wire is not asked, for those or for new ones…
    expect(t._request(dead.wire, 0, false)).toBe(false)
    expect(t._request(dead.wire, 1, false)).toBe(false)
    expect(t._request(live.wire, 0, false)).toBe(true)
    // …unless no other wire can serve (live chokes us).
    ;(live.wire as unknown as { peerChoking: boolean }).peerChoking = true
    expect(t._request(dead.wire, 1, false)).toBe(true)
    ;(live.wire as unknown as { peerChoking: boolean }).peerChoking = false
    // A sign of life from it (a `have`): it is asked like any wire again.
    ;(dead.wire as unknown as EventEmitter).emit('have', 2)
    expect(picker.stalled()).toEqual([])
    // (piece 1 stays slow on it while another can serve; piece 2 never was)
    expect(t._request(dead.wire, 2, false)).toBe(true)
    // An idle wire is never stalled, however long nothing is asked of it.
    for (const p of live.pending.splice(0)) p.cb(null, new Uint8Array(BLOCK_BYTES))
    at(10_000)
    expect(picker.stalled()).toEqual([])
    expect(live.cancels).toEqual([])
    picker.stop()
  })

  it('never moves a request to a stalled wire: a slow live one keeps its requests', () => {
    const { picker, wires, at } = stallRig(['dead', 'slow'])
    const [dead, slow] = wires as [FakeWire, FakeWire]
    dead.wire.request(0, 0, BLOCK_BYTES, () => {})
    slow.wire.request(1, 0, BLOCK_BYTES, () => {})
    at(1_000)
    slow.pending.shift()?.cb(null, new Uint8Array(BLOCK_BYTES)) // slow answers; dead never does
    slow.wire.request(1, BLOCK_BYTES, BLOCK_BYTES, () => {})
    at(1_750)
    expect(picker.stalled()).toEqual(['dead'])
    expect(picker.reissued()).toBe(1) // dead's request, to slow
    // Now slow is silent as long (a rate cap's hiccup): the only other wire is the stalled
    // one, so its request stays where it is, and no cancel goes out.
    at(3_000)
    expect(picker.stalled()).toEqual(['dead', 'slow'])
    expect(picker.reissued()).toBe(1)
    expect(slow.cancels).toEqual([])
    expect(picker.inflight()).toEqual(new Set([1]))
    // A block from it, asked for or not, and it is back.
    ;(slow.wire as unknown as EventEmitter).emit('piece', 2, 0, new Uint8Array(BLOCK_BYTES))
    expect(picker.stalled()).toEqual(['dead'])
    picker.stop()
  })

  it("re-issues a silent priced wire's requests without a cancel: its seeder counts what was asked", () => {
    const { picker, wires, at } = stallRig(['paid', 'free'], {
      priceOf: (w) => (w.peerId === 'paid' ? 10 : 0),
    })
    const [paid] = wires as [FakeWire]
    paid.wire.request(0, 0, BLOCK_BYTES, () => {})
    at(2_000)
    expect(picker.stalled()).toEqual(['paid'])
    expect(picker.reissued()).toBe(1)
    expect(paid.cancels).toEqual([])
    // Still out on the wire: if its block comes after all, it is taken (and paid) as sent.
    expect(paid.pending).toHaveLength(1)
    picker.stop()
  })
})
