/**
 * `npm run bench -- stream` (issue 5, DESIGN §8): streaming and swarm figures in real
 * Chromium against a real relay and tracker, each beside its baseline from the same run.
 *
 * - ttff_http_ms: the plain mp4 from a static server in `<video>`, in the app's browser profile
 *   (median of 3).
 * - ttff_local_ms: the same video published in this profile, through the SW (median of 3, or
 *   BENCH_TTFF_ROUNDS, each right after an http one). BENCH_APP_DIR runs the same bench against
 *   another build of the app (a baseline commit's dist/).
 * - read_http_mbps / read_local_mbps: the whole video read with `fetch` over HTTP, and through
 *   the SW from the local store (median of 3 each, alternating).
 * - ttff_peer_ms: the same video from one peer tab, nothing stored (`swarm.add` → playing);
 *   median of the rounds, each on its own published copy.
 * - seek_peer_ms: a seek to 75 % right after the peer stream started (→ playing past it).
 * - xfer_raw_dc_mbps: a raw RTCDataChannel between two browsers, 64 MiB of messages the size
 *   of the swarm's (a block and its `piece` header), 4 MiB high-water mark, each end in a
 *   dedicated worker the channel was transferred to, as the node's are (the same bridge).
 *   xfer_raw_dc_page_mbps: the same with both ends on the pages' main threads (for reference).
 * - xfer_swarm_mbps: our swarm, 64 MiB random data, one seeder (first slice → complete).
 * - xfer_private_mbps: the same with the seeder in privacy mode (issue 20): every byte goes
 *   through the relay's TURN server (the seeder's only candidates are relayed ones). The mode
 *   is switched on for that transfer and off after it, as a user would in the settings.
 * - xfer_webtorrent_mbps: stock webtorrent in pages, default settings, unencrypted, the same
 *   64 MiB (first piece → done).
 * The transfers run in interleaved rounds (raw, raw on the page, swarm, stock; BENCH_ROUNDS,
 * default 5), each row the median of its rounds: on a shared machine a baseline is fair only
 * when measured beside its figure. BENCH_PROFILE=n writes V8 CPU profiles of both browsers'
 * workers during round n's swarm transfer to bench/results/*.cpuprofile and logs their hot spots.
 * BENCH_THREADS=1 logs where the CPU went during each raw (worker), swarm and stock transfer
 * (bench/_cpu.ts), measured before the raw and stock pages close.
 * BENCH_TRACE=1 prints each swarm transfer's progress every 100 ms as
 * `ms:slices present/MiB received/pieces in flight/our block requests outstanding/the
 * seeder's requests not yet served` (stalls show as runs of the same figures).
 * Each round's log line names the transfers' stalls: gaps of over STALL_MS with nothing
 * received (the swarm's seen by polling, to within 100 ms).
 * - stream_heap_mb: peak JS heap of the node worker streaming a 1 GiB item from a peer
 *   (read through `/c/` at media pace while the swarm downloads), via CDP on the worker.
 * Rates are MB/s (10^6 bytes). The e2e media (ffmpeg, 60 s 720p H.264/AAC) is cached in tmp.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'

import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { BLOCK_BYTES } from '../src/node/swarm/constants.ts'
import type { SwarmStats, SwarmTorrentInfo } from '../src/shared/protocol/methods/swarm.ts'
import { benchStack } from './_app.ts'
import { profileWorkers } from './_cdp.ts'
import { cpuReport, cpuSnapshot } from './_cpu.ts'
import {
  appPage,
  createIdentity,
  makeVideo,
  publishFrom,
  rawDataChannel,
  rpc,
  STALL_MS,
  serveStatic,
  stockWebtorrent,
  type Transfer,
  workerHeapBytes,
} from './_stream.ts'
import { type BenchOptions, type BenchRow, median } from './lib.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const MiB = 1024 * 1024
const resultsDir = join(root, 'bench', 'results')

export async function run({ signal, log }: BenchOptions): Promise<BenchRow[]> {
  const xferBytes = Number(process.env.BENCH_XFER_MIB ?? 64) * MiB
  const heapBytes = Number(process.env.BENCH_HEAP_MIB ?? 1024) * MiB
  // Peer plays and transfers run in rounds (each part once per round, interleaved), reported
  // as medians: the machine is shared, and a baseline is only fair measured beside its figure.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
  // BENCH_STREAM_ONLY=peer,xfer,heap (comma-separated) runs only those parts (for tuning);
  // the ttff_http and ttff_local rows always run.
  const only = (process.env.BENCH_STREAM_ONLY ?? '').split(',').filter(Boolean)
  const want = (part: string) => only.length === 0 || only.includes(part)
  const media = makeVideo()
  const data = randomBytes(xferBytes)
  const server = await serveStatic({
    '/video.mp4': { body: media, type: 'video/mp4' },
    '/data.bin': { body: data, type: 'application/octet-stream' },
    '/webtorrent.min.js': {
      body: readFileSync(join(root, 'node_modules/webtorrent/dist/webtorrent.min.js')),
      type: 'text/javascript',
    },
    '/blank.html': { body: Buffer.from('<!doctype html><title>bench</title>'), type: 'text/html' },
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // BENCH_APP_DIR serves another build of the app (a baseline commit's dist), same bench
  // code. Each browser runs on an on-disk profile (the app pages use it, appPage says why);
  // the baselines' pages get their own contexts.
  const { stack, dataDir, launch } = await benchStack('stream', log, {
    args: ['--autoplay-policy=no-user-gesture-required'],
  })
  // Seeder and leecher in separate browsers: CDP then finds the leecher's node worker alone.
  // The seeder publishes files it reads from the static server (see launch).
  const [seedBrowser, seedProfile] = await launch({ bypassCSP: true })
  const [leechBrowser, leechProfile] = await launch()
  const rows: BenchRow[] = []
  try {
    const tracker = stack.relay.tracker

    // --- time to first frame: static server, and from the local store through the SW ---
    // Publish in A first; then the two alternate, three times each (medians).
    const a = await appPage(seedProfile, stack.relay.url, 'A')
    // The plain file plays in the same on-disk profile as the app (its HTTP cache on disk, as
    // the app's store is).
    const plain = await seedProfile.newPage()
    await plain.goto(`${origin}/blank.html`)
    await createIdentity(a)
    const published = await publishFrom(a, `${origin}/video.mp4`, 'bench.mp4', 'video/mp4')
    const httpRuns: number[] = []
    const localRuns: number[] = []
    const ttffRounds = Number(process.env.BENCH_TTFF_ROUNDS ?? 3)
    for (let r = 0; r < ttffRounds; r++) {
      httpRuns.push(await ttff(plain, `${origin}/video.mp4`))
      localRuns.push(await ttff(a, `/c/${published}`))
    }
    const http = median(httpRuns)
    const local = median(localRuns)
    rows.push({ name: 'ttff_http_ms', value: round(http), unit: 'ms' })
    rows.push({ name: 'ttff_local_ms', value: round(local), unit: 'ms', baseline: 'ttff_http_ms' })
    log(
      `ttff_http ${httpRuns.map(round).join(', ')} ms; ttff_local ${localRuns.map(round).join(', ')} ms`,
    )
    const readRuns = { http: [] as number[], local: [] as number[] }
    for (let r = 0; r < 3; r++) {
      readRuns.http.push(await readRate(plain, `${origin}/video.mp4`))
      readRuns.local.push(await readRate(a, `/c/${published}`))
    }
    rows.push({ name: 'read_http_mbps', value: round2(median(readRuns.http)), unit: 'MB/s' })
    rows.push({
      name: 'read_local_mbps',
      value: round2(median(readRuns.local)),
      unit: 'MB/s',
      baseline: 'read_http_mbps',
    })
    const info = await rpc<SwarmTorrentInfo & { key: string }>(a, 'swarm.seed', {
      itemId: published,
      free: true,
    })

    log('opening B')
    const b = await appPage(leechProfile, stack.relay.url, 'B')
    log('B ready')
    if (want('peer')) {
      // --- from one peer, nothing stored: first frame, then a seek to 75 % ---
      // Each round plays its own copy (published again: a new salt, a new torrent), all
      // published and announced before the first play, as a card's seeder would be.
      const copies = [info]
      for (let r = 1; r < rounds; r++) {
        const itemId = await publishFrom(a, `${origin}/video.mp4`, 'bench.mp4', 'video/mp4')
        copies.push(await rpc(a, 'swarm.seed', { itemId, free: true }))
      }
      await new Promise((r) => setTimeout(r, 2_000))
      const plays: { ttff: number; seek: number }[] = []
      for (const [r, copy] of copies.entries()) {
        const p = await peerPlay(b, copy)
        plays.push(p)
        log(`round ${r + 1}: ttff_peer ${p.ttff.toFixed(0)} ms, seek_peer ${p.seek.toFixed(0)} ms`)
      }
      const ttffPeer = median(plays.map((p) => p.ttff))
      const seekPeer = median(plays.map((p) => p.seek))
      rows.push({
        name: 'ttff_peer_ms',
        value: round(ttffPeer),
        unit: 'ms',
        baseline: 'ttff_http_ms',
      })
      rows.push({ name: 'seek_peer_ms', value: round(seekPeer), unit: 'ms' })
    }
    throwIfAborted(signal)

    // --- raw DataChannel, our swarm and stock webtorrent, in interleaved rounds ---
    if (want('xfer')) {
      const x = {
        raw: [] as Transfer[],
        page: [] as Transfer[],
        swarm: [] as Transfer[],
        private: [] as Transfer[],
        stock: [] as Transfer[],
      }
      // BENCH_THREADS=1: where the CPU went from now until the returned function is called.
      const cpuWatch = (what: string) => {
        const from = process.env.BENCH_THREADS ? cpuSnapshot() : null
        return () => {
          if (from) log(`${what} CPU, ${cpuReport(from, cpuSnapshot())}`)
        }
      }
      // The swarm's wire messages: a block and its 13-byte `piece` header (webtorrentWire.ts).
      const dc = { bytes: xferBytes, messageBytes: BLOCK_BYTES + 13 }
      for (let r = 0; r < rounds; r++) {
        x.raw.push(
          await rawDataChannel(seedBrowser, leechBrowser, origin, {
            ...dc,
            where: 'worker',
            done: cpuWatch(`round ${r + 1} raw DC`),
          }),
        )
        x.page.push(
          await rawDataChannel(seedBrowser, leechBrowser, origin, { ...dc, where: 'page' }),
        )
        const big = await publishFrom(
          a,
          `${origin}/data.bin`,
          'data.bin',
          'application/octet-stream',
        )
        const bigInfo = await rpc<SwarmTorrentInfo & { key: string }>(a, 'swarm.seed', {
          itemId: big,
          free: true,
        })
        await new Promise((r) => setTimeout(r, 1_000))
        // BENCH_PROFILE=n: V8 CPU profiles of both browsers' workers during round n's swarm.
        const profiling =
          r + 1 === Number(process.env.BENCH_PROFILE)
            ? await Promise.all(
                [seedBrowser, leechBrowser].map((br, i) =>
                  profileWorkers(br, join(resultsDir, `stream-swarm-${i ? 'leech' : 'seed'}`)),
                ),
              )
            : []
        const swarmCpu = cpuWatch(`round ${r + 1} swarm`)
        x.swarm.push(
          await swarmTransfer(b, bigInfo, a).catch((err: Error): Transfer => {
            log(`swarm transfer failed: ${err.message}`)
            return { mbps: Number.NaN, stalls: [] }
          }),
        )
        swarmCpu()
        for (const stop of profiling) log(await stop())
        x.private.push(
          await privateTransfer(a, b, `${origin}/data.bin`).catch((err: Error): Transfer => {
            log(`private transfer failed: ${err.message}`)
            return { mbps: Number.NaN, stalls: [] }
          }),
        )
        x.stock.push(
          await stockWebtorrent(
            seedBrowser,
            leechBrowser,
            origin,
            tracker,
            cpuWatch(`round ${r + 1} stock`),
          ),
        )
        const [raw, page, swarm, priv, stock] = [x.raw, x.page, x.swarm, x.private, x.stock].map(
          (v) => v[r] as Transfer,
        ) as [Transfer, Transfer, Transfer, Transfer, Transfer]
        const f = (t: Transfer) =>
          `${t.mbps.toFixed(2)}${t.stalls.length ? ` (stalled ${t.stalls.join(', ')} ms)` : ''}`
        log(
          `round ${r + 1} MB/s: raw DC (worker) ${f(raw)}, raw DC (page) ${f(page)}, swarm ${f(swarm)} (${(swarm.mbps / raw.mbps).toFixed(2)}× raw), private ${f(priv)} (${(priv.mbps / swarm.mbps).toFixed(2)}× swarm), stock webtorrent ${f(stock)} (swarm ${(swarm.mbps / stock.mbps).toFixed(2)}×)`,
        )
      }
      const [raw, page, swarm, priv, stock] = [x.raw, x.page, x.swarm, x.private, x.stock].map(
        (v) => median(v.map((t) => t.mbps)),
      ) as [number, number, number, number, number]
      rows.push({ name: 'xfer_raw_dc_mbps', value: round2(raw), unit: 'MB/s' })
      rows.push({ name: 'xfer_raw_dc_page_mbps', value: round2(page), unit: 'MB/s' })
      rows.push({
        name: 'xfer_swarm_mbps',
        value: round2(swarm),
        unit: 'MB/s',
        baseline: 'xfer_raw_dc_mbps',
      })
      rows.push({
        name: 'xfer_private_mbps',
        value: round2(priv),
        unit: 'MB/s',
        baseline: 'xfer_swarm_mbps',
      })
      rows.push({
        name: 'xfer_webtorrent_mbps',
        value: round2(stock),
        unit: 'MB/s',
        baseline: 'xfer_raw_dc_mbps',
      })
      rows.push({ name: 'xfer_swarm_vs_webtorrent', value: round2(swarm / stock), unit: 'x' })
    }
    throwIfAborted(signal)

    // --- node worker heap while streaming a 1 GiB item from a peer ---
    if (want('heap')) {
      const heap = await streamHeap(a, b, leechBrowser, heapBytes, log)
      rows.push({ name: 'stream_heap_mb', value: round(heap / MiB), unit: 'MiB' })
      log(`stream heap ${(heap / MiB).toFixed(0)} MiB`)
    }
  } finally {
    await Promise.all([seedProfile.close(), leechProfile.close()])
    await stack.stop()
    server.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  return rows
}

/** MB/s of reading all of `src` with `fetch`, in the page. */
function readRate(page: Page, src: string): Promise<number> {
  return page.evaluate(async (src) => {
    const t0 = performance.now()
    const res = await fetch(src)
    if (!res.ok || !res.body) throw new Error(`${src}: HTTP ${res.status}`)
    const reader = res.body.getReader()
    let bytes = 0
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      bytes += value.length
    }
    return bytes / ((performance.now() - t0) / 1000) / 1e6
  }, src)
}

/** ms from setting `src` to the `playing` event, in a fresh `<video>`. */
function ttff(page: Page, src: string): Promise<number> {
  return page.evaluate(async (src) => {
    const v = document.createElement('video')
    v.muted = true
    v.autoplay = true
    document.body.append(v)
    const t0 = performance.now()
    const ms = await new Promise<number>((resolve, reject) => {
      v.addEventListener('playing', () => resolve(performance.now() - t0), { once: true })
      v.addEventListener('error', () => reject(new Error(`media error: ${v.error?.message}`)), {
        once: true,
      })
      v.src = src
    })
    v.pause()
    v.removeAttribute('src')
    v.load()
    v.remove()
    return ms
  }, src)
}

async function peerPlay(page: Page, info: SwarmTorrentInfo & { key: string }) {
  return page.evaluate(async (info) => {
    const node = (
      globalThis as unknown as {
        hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<unknown> } } }
      }
    ).hashcard.node
    const v = document.createElement('video')
    v.muted = true
    v.autoplay = true
    document.body.append(v)
    const t0 = performance.now()
    const playing = new Promise<void>((resolve, reject) => {
      v.addEventListener('playing', () => resolve(), { once: true })
      v.addEventListener('error', () => reject(new Error(`media error: ${v.error?.message}`)), {
        once: true,
      })
    })
    await node.rpc.call('swarm.add', {
      content: info.content,
      access: { kind: 'free', key: info.key },
    })
    v.src = `/c/${info.infoHash}`
    await playing.catch(async (err: Error) => {
      const r = await fetch(`/c/${info.infoHash}`, { headers: { range: 'bytes=0-99' } })
      throw new Error(`${err.message}; /c/ answers ${r.status}: ${(await r.text()).slice(0, 300)}`)
    })
    const ttff = performance.now() - t0
    const target = v.duration * 0.75
    const t1 = performance.now()
    v.currentTime = target
    await new Promise<void>((resolve) => {
      const check = () =>
        !v.seeking && v.currentTime > target + 0.05 && !v.paused
          ? resolve()
          : v.requestVideoFrameCallback(check)
      v.requestVideoFrameCallback(check)
    })
    const seek = performance.now() - t1
    v.pause()
    v.remove()
    return { ttff, seek }
  }, info)
}

async function swarmTransfer(
  page: Page,
  info: SwarmTorrentInfo & { key: string },
  seeder: Page,
): Promise<Transfer> {
  await rpc(page, 'swarm.add', { content: info.content, access: { kind: 'free', key: info.key } })
  let first = 0
  let firstPresent = 0
  const trace: string[] = []
  const tracing = Boolean(process.env.BENCH_TRACE)
  const stalls: number[] = []
  let received = 0
  let receivedAt = 0
  let idle = false
  const deadline = performance.now() + 180_000
  for (;;) {
    const s = await rpc<SwarmStats>(page, 'swarm.status', { id: info.infoHash })
    // The seeder's view: its peer's requests it has not served yet.
    const queued = tracing
      ? (await rpc<SwarmStats>(seeder, 'swarm.status', { id: info.infoHash })).peers
          .map((p) => p.peerRequests)
          .join('+')
      : ''
    if (performance.now() > deadline) {
      const { have: _, ...summary } = s
      throw new Error(`the swarm transfer stalled: ${JSON.stringify(summary)}`)
    }
    const now = performance.now()
    if (!first && s.present > 0) {
      first = now
      firstPresent = s.present
    }
    // A stall: at least one poll (every ~100 ms) saw nothing new; timed to within a poll.
    if (s.received === received) idle = true
    else {
      if (idle && receivedAt && now - receivedAt > STALL_MS)
        stalls.push(Math.round(now - receivedAt))
      idle = false
      received = s.received
      receivedAt = now
    }
    const requests = s.peers.map((p) => p.requests).join('+')
    trace.push(
      `${Math.round(now - first)}:${s.present}/${(s.received / 2 ** 20).toFixed(0)}/${s.inflight.length}/${requests}/${queued}`,
    )
    if (s.present === s.count) {
      if (tracing) console.error(trace.join(' '))
      const bytes = (s.count - firstPresent) * info.content.sliceSize
      return { mbps: bytes / ((now - first) / 1000) / 1e6, stalls }
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * One swarm transfer with the seeder in privacy mode: `seeder` switches it on (its network
 * restarts and its swarm drops its wires), publishes a fresh copy of `src`, and `leecher`
 * fetches it through the TURN server; the mode goes off again afterwards.
 */
async function privateTransfer(seeder: Page, leecher: Page, src: string): Promise<Transfer> {
  await rpc(seeder, 'seed.setSettings', { privacyMode: true })
  try {
    const itemId = await publishFrom(seeder, src, 'private.bin', 'application/octet-stream')
    const info = await rpc<SwarmTorrentInfo & { key: string }>(seeder, 'swarm.seed', {
      itemId,
      free: true,
    })
    await new Promise((r) => setTimeout(r, 1_000))
    return await swarmTransfer(leecher, info, seeder)
  } finally {
    await rpc(seeder, 'seed.setSettings', { privacyMode: false })
  }
}

/** Peak JS heap of B's node worker while it streams a large item from A. */
async function streamHeap(
  a: Page,
  b: Page,
  bBrowser: Browser,
  bytes: number,
  log: (m: string) => void,
): Promise<number> {
  log(`publishing ${bytes / MiB} MiB in A`)
  const id = await a.evaluate(async (bytes) => {
    const part = new Uint8Array(64 << 20)
    for (let o = 0; o < part.length; o += 65536) crypto.getRandomValues(part.subarray(o, o + 65536))
    const blob = new Blob(Array.from({ length: bytes / part.length }, () => part))
    const node = (
      globalThis as unknown as {
        hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<{ id: string }> } } }
      }
    ).hashcard.node
    return (
      await node.rpc.call('store.publishFile', { file: blob, name: 'big.bin', mime: 'video/mp4' })
    ).id
  }, bytes)
  const info = await rpc<SwarmTorrentInfo & { key: string }>(a, 'swarm.seed', {
    itemId: id,
    free: true,
  })
  // As for the other parts: the seeder has announced before B asks (a simultaneous first
  // announce can leave both without the other until the next one), and the read window starts
  // once B has its peer, so it measures streaming, not waiting.
  await new Promise((r) => setTimeout(r, 1_000))
  log('streaming it in B')
  await rpc(b, 'swarm.add', { content: info.content, access: { kind: 'free', key: info.key } })
  for (let t = 0; t < 120; t++) {
    if ((await rpc<SwarmStats>(b, 'swarm.status', { id: info.infoHash })).peers.length > 0) break
    await new Promise((r) => setTimeout(r, 250))
  }
  // A media element's pattern: read ahead from a position, at ≈ 2 MB/s, for 20 s.
  const reading = b.evaluate(async (id) => {
    const res = await fetch(`/c/${id}`, { headers: { range: 'bytes=0-' } })
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const end = performance.now() + 20_000
    let got = 0
    try {
      while (performance.now() < end) {
        const r = await reader.read()
        if (r.done) break
        got += r.value.length
        await new Promise((s) => setTimeout(s, (r.value.length / 2e6) * 1000))
      }
      await reader.cancel()
      return { got, error: null }
    } catch (err) {
      return { got, error: (err as Error).message }
    }
  }, info.infoHash)
  let peak = 0
  const sampler = (async () => {
    for (let i = 0; i < 40; i++) {
      peak = Math.max(peak, await workerHeapBytes(bBrowser, 'hashcard-node').catch(() => 0))
      await new Promise((r) => setTimeout(r, 500))
    }
  })()
  const { got, error } = await reading
  await sampler
  const s = await rpc<SwarmStats>(b, 'swarm.status', { id: info.infoHash })
  log(
    `read ${(got / MiB).toFixed(0)} MiB through /c/ while sampling${error ? ` (stream failed: ${error})` : ''}; ${s.present}/${s.count} slices`,
  )
  return peak
}

const round = (x: number) => Math.round(x)
const round2 = (x: number) => Math.round(x * 100) / 100
function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('aborted')
}
