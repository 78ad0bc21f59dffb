import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type MeteredClient, RateSeries, TrafficMeter } from './traffic.ts'

const T0 = 1_700_000_000_000

describe('RateSeries', () => {
  it('turns counter readings into rates per second over each interval', () => {
    const s = new RateSeries(60_000)
    s.record(T0, { uploaded: 100, downloaded: 0 })
    expect(s.points()).toEqual([]) // one reading is no rate yet
    expect(s.latest()).toBeNull()
    s.record(T0 + 1000, { uploaded: 2_100, downloaded: 500 })
    s.record(T0 + 3000, { uploaded: 6_100, downloaded: 500 })
    expect(s.points()).toEqual([
      { t: T0 + 1000, up: 2000, down: 500 },
      { t: T0 + 3000, up: 2000, down: 0 }, // 4000 bytes over 2 s
    ])
    expect(s.latest()).toEqual({ t: T0 + 3000, up: 2000, down: 0 })
  })

  it('keeps only the window, ignores readings out of order, and never goes negative', () => {
    const s = new RateSeries(10_000)
    for (let i = 0; i <= 30; i++) s.record(T0 + i * 1000, { uploaded: i * 1000, downloaded: 0 })
    const pts = s.points()
    expect(pts[0]?.t).toBe(T0 + 20_000)
    expect(pts.at(-1)?.t).toBe(T0 + 30_000)
    expect(pts).toHaveLength(11)
    s.record(T0 + 30_000, { uploaded: 1e9, downloaded: 0 }) // same time: ignored
    s.record(T0 + 29_000, { uploaded: 1e9, downloaded: 0 }) // earlier: ignored
    expect(s.points()).toHaveLength(11)
    s.record(T0 + 31_000, { uploaded: 0, downloaded: 0 }) // the counter restarted
    expect(s.latest()).toEqual({ t: T0 + 31_000, up: 0, down: 0 })
    s.record(T0 + 32_000, { uploaded: 700, downloaded: 0 })
    expect(s.latest()?.up).toBe(700)
  })

  it('refuses a window that is not positive and a time that is not a number', () => {
    expect(() => new RateSeries(0)).toThrow(RangeError)
    expect(() => new RateSeries().record(Number.NaN, { uploaded: 0, downloaded: 0 })).toThrow(
      /t: expected/,
    )
  })
})

/** A client and torrents and wires as webtorrent's emit them (only the events the meter uses). */
function fakeClient() {
  const client = new EventEmitter()
  const torrent = (infoHash: string | undefined) => {
    const t = Object.assign(new EventEmitter(), { infoHash })
    client.emit('add', t)
    return t
  }
  return { client, torrent, meter: client as unknown as MeteredClient }
}

describe('TrafficMeter', () => {
  afterEach(() => vi.useRealTimers())

  it('adds up every block both ways and counts requests per torrent', () => {
    const f = fakeClient()
    const m = new TrafficMeter()
    m.install(f.meter)
    // A magnet's infoHash may be unknown when `add` fires: it is read per request.
    const a = f.torrent(undefined)
    const b = f.torrent('BB'.repeat(20))
    const wa = new EventEmitter()
    const wb = new EventEmitter()
    a.emit('wire', wa)
    b.emit('wire', wb)
    a.infoHash = 'aa'.repeat(20)
    for (let i = 0; i < 3; i++) wa.emit('request', i, 0, 16_384)
    wb.emit('request', 0, 0, 16_384)
    f.client.emit('upload', 16_384)
    f.client.emit('upload', 16_384)
    f.client.emit('download', 1000)
    expect(m.totals()).toEqual({ uploaded: 32_768, downloaded: 1000 })
    expect(m.requests('aa'.repeat(20))).toBe(3)
    expect(m.requests('bb'.repeat(20))).toBe(1)
    expect(m.requests('cc'.repeat(20))).toBe(0)
    m.forget('AA'.repeat(20))
    expect(m.requests('aa'.repeat(20))).toBe(0)
  })

  it('samples its totals once a second into the report, for the dashboard', () => {
    vi.useFakeTimers({ now: T0 })
    const f = fakeClient()
    const m = new TrafficMeter({ windowMs: 5_000 })
    m.install(f.meter)
    m.startSampling()
    for (let s = 0; s < 8; s++) {
      f.client.emit('upload', 250_000) // 250 kB in each second
      vi.advanceTimersByTime(1000)
    }
    const r = m.report()
    expect(r).toMatchObject({ uploaded: 2_000_000, downloaded: 0, sampleMs: 1000, windowMs: 5000 })
    expect(r.points.map((p) => p.t - T0)).toEqual([3000, 4000, 5000, 6000, 7000, 8000])
    expect(r.points.every((p) => p.up === 250_000 && p.down === 0)).toBe(true)
    m.stop()
    f.client.emit('upload', 1)
    vi.advanceTimersByTime(5000)
    expect(m.report().points.at(-1)?.t).toBe(T0 + 8000) // stopped: no more samples
  })
})
