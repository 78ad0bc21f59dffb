/**
 * `npm run bench -- stream` (issue 5, DESIGN §8): streaming and swarm figures in real
 * Chromium against a real relay and tracker, each beside its baseline from the same run.
 *
 * - ttff_http_ms: the plain mp4 from a static server in `<video>` (median of 3).
 * - ttff_local_ms: the same video published in this profile, through the SW (median of 3).
 * - ttff_peer_ms: the same video from one peer tab, nothing stored (`swarm.add` → playing).
 * - seek_peer_ms: a seek to 75 % right after the peer stream started (→ playing past it).
 * - xfer_raw_dc_mbps: a raw RTCDataChannel between two contexts (64 KiB messages, 4 MiB
 *   high-water mark), 64 MiB.
 * - xfer_swarm_mbps: our swarm, 64 MiB random data, one seeder (first slice → complete).
 * - xfer_webtorrent_mbps: stock webtorrent in pages, default settings, unencrypted, the same
 *   64 MiB (first piece → done).
 * - stream_heap_mb: peak JS heap of the node worker streaming a 1 GiB item from a peer
 *   (read through `/c/` at media pace while the swarm downloads), via CDP on the worker.
 * Rates are MB/s (10^6 bytes). The e2e media (ffmpeg, 60 s 720p H.264/AAC) is cached in tmp.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'

import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { startStack } from '../scripts/stack.ts'
import type { SwarmStats, SwarmTorrentInfo } from '../src/shared/rpc.ts'
import { CHROMIUM_ARGS } from './_browser/runInChromium.ts'
import {
  appPage,
  createIdentity,
  makeVideo,
  newPage,
  publishFrom,
  rpc,
  serveStatic,
  workerHeapBytes,
} from './_stream.ts'
import type { BenchRow } from './lib.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const MiB = 1024 * 1024

export async function run({
  signal,
  log,
}: {
  signal: AbortSignal
  log: (msg: string) => void
}): Promise<BenchRow[]> {
  const xferBytes = Number(process.env.BENCH_XFER_MIB ?? 64) * MiB
  const heapBytes = Number(process.env.BENCH_HEAP_MIB ?? 1024) * MiB
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
  const dataDir = await mkdtemp(join(tmpdir(), 'hashcard-bench-stream-'))
  log('starting chain, relay and tracker')
  const stack = await startStack({
    dataDir,
    appDir: join(root, 'dist'),
    blockTime: 0,
    relayStderr: 'ignore',
  })
  const launch = () =>
    chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
    })
  // Seeder and leecher in separate browsers: CDP then finds the leecher's node worker alone.
  const seedBrowser = await launch()
  const leechBrowser = await launch()
  const rows: BenchRow[] = []
  try {
    const tracker = stack.relay.tracker

    // --- time to first frame: static server ---
    const plain = await newPage(seedBrowser)
    await plain.goto(`${origin}/blank.html`)
    const http = median(await repeat(3, () => ttff(plain, `${origin}/video.mp4`)))
    rows.push({ name: 'ttff_http_ms', value: round(http), unit: 'ms' })
    log(`ttff_http ${http.toFixed(0)} ms`)

    // --- publish in A; time to first frame from the local store through the SW ---
    const a = await appPage(seedBrowser, stack.relay.url)
    await createIdentity(a)
    const published = await publishFrom(a, `${origin}/video.mp4`, 'bench.mp4', 'video/mp4')
    const local = median(await repeat(3, () => ttff(a, `/c/${published}`)))
    rows.push({ name: 'ttff_local_ms', value: round(local), unit: 'ms', baseline: 'ttff_http_ms' })
    log(`ttff_local ${local.toFixed(0)} ms`)
    const info = await rpc<SwarmTorrentInfo & { key: string }>(a, 'swarm.seed', {
      itemId: published,
      free: true,
    })

    // --- from one peer, nothing stored: first frame, then a seek to 75 % ---
    log('opening B')
    const b = await appPage(leechBrowser, stack.relay.url)
    log('B ready')
    const peer = await peerPlay(b, info)
    rows.push({
      name: 'ttff_peer_ms',
      value: round(peer.ttff),
      unit: 'ms',
      baseline: 'ttff_http_ms',
    })
    rows.push({ name: 'seek_peer_ms', value: round(peer.seek), unit: 'ms' })
    log(`ttff_peer ${peer.ttff.toFixed(0)} ms, seek_peer ${peer.seek.toFixed(0)} ms`)
    throwIfAborted(signal)

    // --- raw RTCDataChannel between two contexts ---
    const raw = await rawDataChannel(seedBrowser, leechBrowser, origin, xferBytes)
    rows.push({ name: 'xfer_raw_dc_mbps', value: round2(raw), unit: 'MB/s' })
    log(`raw DataChannel ${raw.toFixed(2)} MB/s`)

    // --- our swarm, one seeder ---
    const big = await publishFrom(a, `${origin}/data.bin`, 'data.bin', 'application/octet-stream')
    const bigInfo = await rpc<SwarmTorrentInfo & { key: string }>(a, 'swarm.seed', {
      itemId: big,
      free: true,
    })
    const swarm = await swarmTransfer(b, bigInfo).catch((err: Error) => {
      log(`swarm transfer failed: ${err.message}`)
      return Number.NaN
    })
    rows.push({
      name: 'xfer_swarm_mbps',
      value: round2(swarm),
      unit: 'MB/s',
      baseline: 'xfer_raw_dc_mbps',
    })
    log(`swarm ${swarm.toFixed(2)} MB/s`)

    // --- stock webtorrent, default settings, unencrypted, same data ---
    const stock = await stockWebtorrent(seedBrowser, leechBrowser, origin, tracker)
    rows.push({
      name: 'xfer_webtorrent_mbps',
      value: round2(stock),
      unit: 'MB/s',
      baseline: 'xfer_raw_dc_mbps',
    })
    rows.push({ name: 'xfer_swarm_vs_webtorrent', value: round2(swarm / stock), unit: 'x' })
    log(`stock webtorrent ${stock.toFixed(2)} MB/s`)
    throwIfAborted(signal)

    // --- node worker heap while streaming a 1 GiB item from a peer ---
    const heap = await streamHeap(a, b, leechBrowser, heapBytes, log)
    rows.push({ name: 'stream_heap_mb', value: round(heap / MiB), unit: 'MiB' })
    log(`stream heap ${(heap / MiB).toFixed(0)} MiB`)
  } finally {
    await Promise.all([seedBrowser.close(), leechBrowser.close()])
    await stack.stop()
    server.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  return rows
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
): Promise<number> {
  await rpc(page, 'swarm.add', { content: info.content, access: { kind: 'free', key: info.key } })
  let first = 0
  let firstPresent = 0
  const deadline = performance.now() + 180_000
  for (;;) {
    const s = await rpc<SwarmStats>(page, 'swarm.status', { id: info.infoHash })
    if (performance.now() > deadline) {
      const { have: _, ...summary } = s
      throw new Error(`the swarm transfer stalled: ${JSON.stringify(summary)}`)
    }
    const now = performance.now()
    if (!first && s.present > 0) {
      first = now
      firstPresent = s.present
    }
    if (s.present === s.count) {
      const bytes = (s.count - firstPresent) * info.content.sliceSize
      return bytes / ((now - first) / 1000) / 1e6
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** 64 KiB messages over one RTCDataChannel between two browsers, flow-controlled. */
async function rawDataChannel(
  one: Browser,
  two: Browser,
  origin: string,
  bytes: number,
): Promise<number> {
  const tx = await newPage(one)
  const rx = await newPage(two)
  await Promise.all([tx.goto(`${origin}/blank.html`), rx.goto(`${origin}/blank.html`)])
  const gathered = `new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()) })`
  const offer = await tx.evaluate(`(async () => {
    const pc = new RTCPeerConnection(); globalThis.pc = pc
    globalThis.dc = pc.createDataChannel('x'); dc.binaryType = 'arraybuffer'
    await pc.setLocalDescription(await pc.createOffer()); await ${gathered}
    return pc.localDescription.toJSON()
  })()`)
  const answer = await rx.evaluate(`(async (offer) => {
    const pc = new RTCPeerConnection(); globalThis.pc = pc
    globalThis.done = new Promise((resolve) => pc.ondatachannel = (e) => {
      const ch = e.channel; ch.binaryType = 'arraybuffer'; let got = 0, t0 = 0
      ch.onmessage = (m) => { if (!t0) t0 = performance.now(); got += m.data.byteLength; if (got >= ${bytes}) resolve({ ms: performance.now() - t0, got }) }
    })
    await pc.setRemoteDescription(offer); await pc.setLocalDescription(await pc.createAnswer()); await ${gathered}
    return pc.localDescription.toJSON()
  })(${JSON.stringify(offer)})`)
  await tx.evaluate(`(async (answer) => {
    await pc.setRemoteDescription(answer)
    if (dc.readyState !== 'open') await new Promise((r) => dc.onopen = r)
    dc.bufferedAmountLowThreshold = 1 << 20
    const msg = new Uint8Array(65536); crypto.getRandomValues(msg)
    for (let sent = 0; sent < ${bytes}; sent += msg.length) {
      if (dc.bufferedAmount > (4 << 20)) await new Promise((r) => dc.onbufferedamountlow = r)
      dc.send(msg)
    }
  })(${JSON.stringify(answer)})`)
  const r = (await rx.evaluate('done')) as { ms: number; got: number }
  await Promise.all([tx.context().close(), rx.context().close()])
  return r.got / (r.ms / 1000) / 1e6
}

/** Stock webtorrent in two pages: seed the 64 MiB, fetch it by magnet (first piece → done). */
async function stockWebtorrent(
  one: Browser,
  two: Browser,
  origin: string,
  tracker: string,
): Promise<number> {
  const s = await newPage(one)
  const l = await newPage(two)
  await Promise.all([s.goto(`${origin}/blank.html`), l.goto(`${origin}/blank.html`)])
  const magnet = await s.evaluate(
    async ([origin, tracker]) => {
      const { default: WebTorrent } = await import(`${origin}/webtorrent.min.js`)
      const blob = await (await fetch(`${origin}/data.bin`)).blob()
      const client = new WebTorrent()
      return new Promise<string>((resolve) =>
        client.seed(
          new File([blob], 'data.bin'),
          { announce: [tracker] },
          (t: { magnetURI: string }) => resolve(t.magnetURI),
        ),
      )
    },
    [origin, tracker] as const,
  )
  const r = await l.evaluate(
    async ([origin, magnet, tracker]) => {
      const { default: WebTorrent } = await import(`${origin}/webtorrent.min.js`)
      const client = new WebTorrent()
      return new Promise<{ ms: number; bytes: number }>((resolve) => {
        client.add(
          magnet,
          { announce: [tracker] },
          (t: { on(e: string, f: () => void): void; length: number; pieceLength: number }) => {
            let t0 = 0
            t.on('download', () => {
              if (!t0) t0 = performance.now()
            })
            t.on('done', () =>
              resolve({ ms: performance.now() - t0, bytes: t.length - t.pieceLength }),
            )
          },
        )
      })
    },
    [origin, magnet, tracker] as const,
  )
  await Promise.all([s.context().close(), l.context().close()])
  return r.bytes / (r.ms / 1000) / 1e6
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
  log('streaming it in B')
  await rpc(b, 'swarm.add', { content: info.content, access: { kind: 'free', key: info.key } })
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

async function repeat<T>(n: number, fn: () => Promise<T>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < n; i++) out.push(await fn())
  return out
}
function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  return s[Math.floor(s.length / 2)] as number
}
const round = (x: number) => Math.round(x)
const round2 = (x: number) => Math.round(x * 100) / 100
function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error('aborted')
}
