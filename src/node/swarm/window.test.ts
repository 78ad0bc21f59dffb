import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import { layout } from '../crypto/layout.ts'
import { BLOCK_BYTES } from './constants.ts'
import { installPicker } from './picker.ts'
import { BigPiece, culprits } from './piece.ts'
import { criticalSlices, overdue } from './window.ts'

const S = 262144
const P = S - 16

describe('criticalSlices', () => {
  const l = layout(100 * P + 5, S)
  it('covers the byte window from the play head', () => {
    expect(criticalSlices(l, 0, { seconds: 10, bytes: 4 * P })).toEqual({ first: 0, last: 3 })
    expect(criticalSlices(l, P + 1, { seconds: 10, bytes: 4 * P })).toEqual({ first: 1, last: 5 })
  })
  it('widens to the seconds window when the duration is known', () => {
    // 101 slices over 101 s: 10 s ≈ 10 slices.
    const w = criticalSlices(l, 0, { seconds: 10, bytes: P, duration: 101 })
    expect(w.first).toBe(0)
    expect(w.last).toBeGreaterThanOrEqual(9)
    expect(w.last).toBeLessThanOrEqual(10)
  })
  it("ends at a read's end: a site's file makes only its own slices critical", () => {
    const o = { seconds: 10, bytes: 8 * P }
    expect(criticalSlices(l, P + 1, { ...o, end: 2 * P + 3 })).toEqual({ first: 1, last: 2 })
    expect(criticalSlices(l, 5, { ...o, end: 12 })).toEqual({ first: 0, last: 0 })
    expect(criticalSlices(l, 0, { ...o, end: l.size })).toEqual({ first: 0, last: 7 })
  })
  it('clamps at the end', () => {
    expect(criticalSlices(l, l.size + 10, { seconds: 1, bytes: 8 * P })).toEqual({
      first: 100,
      last: 100,
    })
  })
})

describe('overdue', () => {
  it('picks only critical requests past the deadline', () => {
    const reqs = [
      { index: 1, offset: 0, at: 0 },
      { index: 2, offset: 0, at: 0 },
      { index: 1, offset: 65536, at: 900 },
    ]
    expect(overdue(reqs, 1000, 500, (i) => i === 1)).toEqual([{ index: 1, offset: 0, at: 0 }])
  })
})

describe('BigPiece', () => {
  it('reserves 64 KiB blocks, takes cancellations back, and flushes in order', () => {
    const p = new BigPiece(3 * 65536 + 10)
    expect([p.reserve(), p.reserve(), p.reserve(), p.reserve(), p.reserve()]).toEqual([
      0, 1, 2, 3, -1,
    ])
    expect(p.chunkLength(3)).toBe(10)
    p.cancel(1)
    expect(p.reserve()).toBe(1)
    for (const i of [3, 0, 2])
      expect(p.set(i, new Uint8Array(p.chunkLength(i)).fill(i), 'a')).toBe(false)
    expect(p.set(1, new Uint8Array(65536).fill(1), 'b')).toBe(true)
    const out = p.flush()!
    expect(out.length).toBe(3 * 65536 + 10)
    expect([out[0], out[65536], out[2 * 65536], out[3 * 65536]]).toEqual([0, 1, 2, 3])
    expect(p.reserve()).toBe(-1)
  })
})

describe('smart ban', () => {
  const piece = (senders: string[], tampered: number[]) => {
    const p = new BigPiece(senders.length * 65536)
    const good = new Uint8Array(p.length).map((_, i) => i * 7)
    senders.forEach((who, i) => {
      p.reserve()
      const block = good.slice(i * 65536, (i + 1) * 65536)
      if (tampered.includes(i)) block[100] = (block[100] as number) ^ 1
      p.set(i, block, who)
    })
    p.flush()
    return { p, good }
  }

  it('keeps each block with the peer that sent it', () => {
    const { p } = piece(['a', 'b', 'a'], [])
    expect(p.contributions().map((c) => [c.source, c.offset, c.bytes.length])).toEqual([
      ['a', 0, 65536],
      ['b', 65536, 65536],
      ['a', 131072, 65536],
    ])
  })

  it('blames exactly the peers whose blocks differ from the verified piece', () => {
    const { p, good } = piece(['honest', 'bad', 'honest', 'bad'], [1])
    expect(culprits(p.contributions(), good)).toEqual(new Set(['bad']))
    const clean = piece(['honest', 'other'], [])
    expect(culprits(clean.p.contributions(), clean.good).size).toBe(0)
  })

  it('blames a block that runs past the verified piece', () => {
    expect(
      culprits([{ source: 'x', offset: 10, bytes: new Uint8Array(8) }], new Uint8Array(12)),
    ).toEqual(new Set(['x']))
  })
})

describe('installPicker', () => {
  it('finishes a partly requested piece before it starts another', () => {
    const pieces = [0, 1, 2].map(() => new BigPiece(4 * BLOCK_BYTES))
    // Stands in for webtorrent's random pick among equally rare pieces: the last candidate.
    const rarity = {
      getRarestPiece: (filter?: (i: number) => boolean) =>
        [0, 1, 2].filter((i) => !filter || filter(i)).at(-1) ?? -1,
    }
    const t = Object.assign(new EventEmitter(), {
      pieces,
      wires: [],
      _critical: [],
      _rarityMap: rarity,
      _markUnverified: () => {},
      _updateWire: () => {},
      _request: (_w: unknown, i: number) => (pieces[i] as BigPiece).reserve() >= 0,
    }) as unknown as Torrent
    const picker = installPicker(t, { deadlineMs: 1_000, tickMs: 60_000 })
    const wire = {} as Wire
    expect(rarity.getRarestPiece()).toBe(2)
    expect(t._request(wire, 1, false)).toBe(true) // one block of four: piece 1 is started
    expect(rarity.getRarestPiece()).toBe(1)
    expect(rarity.getRarestPiece((i) => i !== 1)).toBe(2) // the caller's filter still rules
    for (let b = 0; b < 3; b++) t._request(wire, 1, false)
    expect(rarity.getRarestPiece()).toBe(2) // all its blocks requested: back to rarest-first
    picker.stop()
  })
})
