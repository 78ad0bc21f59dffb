/**
 * The swarm's traffic, for the node page's dashboard (DESIGN §4.7): bytes sent and received on
 * every wire of every torrent (content and previews alike), block requests peers made per
 * torrent (an item's demand, which the eviction planner weighs too), and a rolling series of
 * upload and download rates sampled from those counters, once a second by default.
 *
 * The counters follow webtorrent's client events (`upload` / `download`, emitted per block with
 * its length), not the torrents' own totals, so a torrent that leaves the swarm takes nothing
 * back from them and a rate is never negative. All in memory: a reload starts from zero.
 */
import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import type { SwarmRatePoint, SwarmTraffic } from '../../shared/protocol/methods/swarm.ts'

/** Bytes moved this session, both ways. */
export type TrafficTotals = { uploaded: number; downloaded: number }

/** The average rates over the interval that ends at `t` (ms since the epoch), bytes/s. */
export type RatePoint = SwarmRatePoint

/** How often the swarm samples its counters, and how much of the series it keeps. */
export const TRAFFIC_SAMPLE_MS = 1_000
export const TRAFFIC_WINDOW_MS = 5 * 60_000

/**
 * Rates from successive readings of monotonic byte counters: each reading after the first
 * adds one point, the bytes since the previous reading over the time between them; points
 * older than `windowMs` before the newest are dropped. A counter that went backwards (a
 * restart) gives 0 for that interval, and a reading not after the previous one is ignored.
 * @example const s = new RateSeries(); s.record(0, t0); s.record(1000, t1); s.points()[0].up
 */
export class RateSeries {
  readonly #points: RatePoint[] = []
  #last: (TrafficTotals & { t: number }) | null = null

  constructor(readonly windowMs = TRAFFIC_WINDOW_MS) {
    if (!(windowMs > 0)) throw new RangeError(`windowMs: expected > 0, got ${windowMs}`)
  }

  record(t: number, totals: TrafficTotals): void {
    if (!Number.isFinite(t)) throw new RangeError(`t: expected a time in ms, got ${t}`)
    const prev = this.#last
    if (prev && t <= prev.t) return
    this.#last = { t, uploaded: totals.uploaded, downloaded: totals.downloaded }
    if (!prev) return
    const seconds = (t - prev.t) / 1000
    const rate = (now: number, before: number) => Math.max(0, now - before) / seconds
    this.#points.push({
      t,
      up: rate(totals.uploaded, prev.uploaded),
      down: rate(totals.downloaded, prev.downloaded),
    })
    const since = t - this.windowMs
    let drop = 0
    while (drop < this.#points.length && (this.#points[drop] as RatePoint).t < since) drop++
    if (drop > 0) this.#points.splice(0, drop)
  }

  /** The points in the window, oldest first (a copy). */
  points(): RatePoint[] {
    return this.#points.map((p) => ({ ...p }))
  }

  /** The newest point; null before the second reading. */
  latest(): RatePoint | null {
    const p = this.#points.at(-1)
    return p ? { ...p } : null
  }
}

/** The part of the webtorrent client the meter listens to. */
export type MeteredClient = {
  on(ev: 'upload' | 'download', fn: (bytes: number) => void): void
  on(ev: 'add', fn: (t: Torrent) => void): void
}

/** What the swarm reports of its traffic (`swarm.traffic`). */
export type TrafficReport = SwarmTraffic

/**
 * Byte totals and per-torrent request counts of one webtorrent client, and the rates sampled
 * from the totals; see the module comment.
 */
export class TrafficMeter {
  uploaded = 0
  downloaded = 0
  readonly #requests = new Map<string, number>()
  readonly #series: RateSeries
  #sampler: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly o: { now?: () => number; sampleMs?: number; windowMs?: number } = {},
  ) {
    this.#series = new RateSeries(o.windowMs)
  }

  /** Samples the totals every `sampleMs` until {@link stop}. */
  startSampling(): void {
    if (this.#sampler) return
    const now = this.o.now ?? Date.now
    this.#sample(now())
    this.#sampler = setInterval(() => this.#sample(now()), this.#sampleMs)
  }

  stop(): void {
    if (this.#sampler) clearInterval(this.#sampler)
    this.#sampler = null
  }

  /** The totals and the series, for the dashboard. */
  report(): TrafficReport {
    return {
      ...this.totals(),
      points: this.#series.points(),
      sampleMs: this.#sampleMs,
      windowMs: this.#series.windowMs,
    }
  }

  get #sampleMs(): number {
    return this.o.sampleMs ?? TRAFFIC_SAMPLE_MS
  }

  #sample(t: number): void {
    this.#series.record(t, this.totals())
  }

  /** Listens to `client` from now on: every torrent it adds and every wire of those. */
  install(client: MeteredClient): void {
    client.on('upload', (bytes) => {
      this.uploaded += bytes
    })
    client.on('download', (bytes) => {
      this.downloaded += bytes
    })
    client.on('add', (t) =>
      t.on('wire', (wire: Wire) =>
        // The infoHash is read when a request comes: a magnet's is set by then (it may not
        // be when `add` fires).
        wire.on('request', () => this.#bump(t.infoHash)),
      ),
    )
  }

  totals(): TrafficTotals {
    return { uploaded: this.uploaded, downloaded: this.downloaded }
  }

  /** Block requests peers made for a torrent this session (served or not). */
  requests(infoHash: string): number {
    return this.#requests.get(infoHash.toLowerCase()) ?? 0
  }

  /** Forgets a torrent's count (its item was deleted). */
  forget(infoHash: string): void {
    this.#requests.delete(infoHash.toLowerCase())
  }

  #bump(infoHash: string | undefined): void {
    if (!infoHash) return
    const k = infoHash.toLowerCase()
    this.#requests.set(k, (this.#requests.get(k) ?? 0) + 1)
  }
}
