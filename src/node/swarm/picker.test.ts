import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import { BLOCK_BYTES } from './constants.ts'
import { installPicker } from './picker.ts'
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
