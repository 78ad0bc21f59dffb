/**
 * Helpers of bench/stream.ts: the test media, a static server, app pages driven over the
 * node's RPC, and a dedicated worker's heap through CDP.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { attachWorkers } from './_cdp.ts'

export function makeVideo(): Buffer {
  const file = join(tmpdir(), 'hashcard-stream-60s.mp4')
  if (!existsSync(file)) {
    // biome-ignore format: the command as PLATFORM.md gives it
    execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '60', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-c:a', 'aac', '-movflags', '+faststart', file])
  }
  return readFileSync(file)
}

/** A static server with Range support and CORS (the app fetches the inputs from it). */
export function serveStatic(
  files: Record<string, { body: Buffer; type: string }>,
): Promise<Server> {
  const server = createServer((req, res) => {
    const f = files[new URL(req.url ?? '/', 'http://x').pathname]
    if (!f) return void res.writeHead(404).end()
    const base = {
      'content-type': f.type,
      'access-control-allow-origin': '*',
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
    if (!m) return void res.writeHead(200, { ...base, 'content-length': f.body.length }).end(f.body)
    const start = Number(m[1])
    const end = m[2] ? Math.min(Number(m[2]), f.body.length - 1) : f.body.length - 1
    res.writeHead(206, {
      ...base,
      'content-length': end - start + 1,
      'content-range': `bytes ${start}-${end}/${f.body.length}`,
    })
    res.end(f.body.subarray(start, end + 1))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/**
 * An app page whose node is up (relay connected, SW in control), in `profile`: the browser's
 * on-disk profile (`launchPersistentContext`), as a user's is. A `newContext()` is off the
 * record, and there OPFS lives in memory behind a cross-process call per read or write, which
 * the app's store would pay and the baselines (memory stores, no storage) would not. Node
 * warnings and errors go to stderr; with `DEBUG=hashcard:*` (as in e2e) every node log line
 * does, timestamped.
 */
export async function appPage(profile: BrowserContext, url: string, tag = 'node'): Promise<Page> {
  const debug = process.env.DEBUG
  await prepare(profile, debug)
  const page = await profile.newPage()
  page.on('console', (m) => {
    const text = m.text()
    if (!text.includes('hashcard:')) return
    if (debug || m.type() === 'warning' || m.type() === 'error')
      console.error(`[${tag} ${(performance.now() / 1000).toFixed(3)}] ${text}`)
  })
  await page.goto(new URL('/node', url).href)
  // Polled with evaluate: waitForFunction takes the Promise of an async predicate as truthy
  // at once, so it would not wait at all.
  const up = () =>
    page.evaluate(async () => {
      const n = (
        globalThis as unknown as {
          hashcard?: {
            node: {
              rpc: { call(m: string, p?: unknown): Promise<{ relay: { state: string } }> } | null
            }
          }
        }
      ).hashcard?.node
      if (!n?.rpc || !navigator.serviceWorker.controller) return false
      return (await n.rpc.call('node.status')).relay.state === 'connected'
    })
  const deadline = performance.now() + 60_000
  while (!(await up())) {
    if (performance.now() > deadline) throw new Error(`${tag}: the node did not come up in 60 s`)
    await new Promise((r) => setTimeout(r, 250))
  }
  return page
}

export function rpc<T>(page: Page, method: string, params?: unknown): Promise<T> {
  return page.evaluate(
    ([m, p]) =>
      (
        globalThis as unknown as {
          hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<unknown> } } }
        }
      ).hashcard.node.rpc.call(m as string, p),
    [method, params] as const,
  ) as Promise<T>
}

export async function createIdentity(page: Page): Promise<void> {
  await rpc(page, 'identity.create', { words: 12 })
  await rpc(page, 'identity.confirm', { later: true })
}

export async function publishFrom(
  page: Page,
  url: string,
  name: string,
  mime: string,
): Promise<string> {
  return page.evaluate(
    async ([url, name, mime]) => {
      const blob = await (await fetch(url as string)).blob()
      const node = (
        globalThis as unknown as {
          hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<{ id: string }> } } }
        }
      ).hashcard.node
      return (await node.rpc.call('store.publishFile', { file: blob, name, mime })).id
    },
    [url, name, mime] as const,
  )
}

/** A page in a new context; `__name` is what tsx's keepNames calls inside evaluated functions. */
export async function newPage(
  browser: Browser,
  options: { baseURL?: string } = {},
  debug?: string,
): Promise<Page> {
  const context = await browser.newContext(options)
  await prepare(context, debug)
  return context.newPage()
}

async function prepare(context: BrowserContext, debug?: string): Promise<void> {
  await context.addInitScript('globalThis.__name ??= (f) => f')
  if (debug) await context.addInitScript((spec) => localStorage.setItem('debug', spec), debug)
}

/**
 * The JS heap of a dedicated worker through the browser's CDP endpoint: a worker has no
 * `performance.memory`, and the app is not cross-origin isolated, so its page cannot call
 * `measureUserAgentSpecificMemory()`. Asks `Runtime.getHeapUsage` of the worker named `match`
 * (else the app's node worker, `main`).
 */
export async function workerHeapBytes(browser: Browser, match: string): Promise<number> {
  const attached = await attachWorkers(browser, (t) =>
    [match, 'main'].some((m) => t.title.includes(m) || t.url.includes(m)),
  )
  try {
    const w =
      attached.workers.find((x) => x.info.title.includes(match) || x.info.url.includes(match)) ??
      attached.workers[0]
    if (!w) throw new Error(`no worker target matching ${match}`)
    return (await w.send<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize
  } finally {
    await attached.detach()
  }
}

/** A transfer's rate (MB/s) and its stalls: each time nothing arrived for over STALL_MS (ms). */
export type Transfer = { mbps: number; stalls: number[] }

/** A receive gap this long is a stall, not jitter: at 10 MB/s a 64 KiB block lands every 7 ms.
 * Stalls of ~0.4 s and its doublings are SCTP retransmission timeouts. */
export const STALL_MS = 100

/**
 * One raw RTCDataChannel between two browsers, 64 MiB of `messageBytes` messages sent with
 * a 4 MiB high-water mark and a 1 MiB low mark (PLATFORM.md: what works). `where: 'worker'`
 * runs both ends as the swarm does: the page owns the peer connection and transfers the
 * channel into a dedicated worker, which sends or receives (src/ui/lib/rtc-host.ts);
 * `'page'` keeps the channel on the page's main thread.
 */
export async function rawDataChannel(
  one: Browser,
  two: Browser,
  origin: string,
  o: { bytes: number; messageBytes: number; where: 'worker' | 'page'; done?: () => void },
): Promise<Transfer> {
  const tx = await newPage(one)
  const rx = await newPage(two)
  await Promise.all([tx.goto(`${origin}/blank.html`), rx.goto(`${origin}/blank.html`)])
  const setup = `
    globalThis.gathered = (pc) => new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()) })
    globalThis.sender = async (dc, bytes, size) => {
      if (dc.readyState !== 'open') await new Promise((r) => dc.addEventListener('open', r, { once: true }))
      dc.bufferedAmountLowThreshold = 1 << 20
      const msg = new Uint8Array(size); crypto.getRandomValues(msg.subarray(0, 65536))
      for (let sent = 0; sent < bytes; sent += msg.length) {
        if (dc.bufferedAmount > (4 << 20)) await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }))
        dc.send(msg)
      }
    }
    globalThis.receiver = (dc, bytes) => new Promise((resolve) => {
      dc.binaryType = 'arraybuffer'; let got = 0, t0 = 0
      let last = 0; const stalls = []
      dc.onmessage = (m) => {
        const now = performance.now(); if (!t0) t0 = now
        if (now - last > ${STALL_MS} && last) stalls.push(Math.round(now - last))
        last = now; got += m.data.byteLength
        if (got >= bytes) resolve({ ms: now - t0, got, stalls })
      }
    })
    globalThis.inWorker = (fn, args, channel) => {
      const src = 'const sender = ' + sender + '; const receiver = ' + receiver + '; onmessage = async (e) => postMessage(await (' + fn + ')(e.data.channel, ...e.data.args))'
      const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })))
      w.postMessage({ channel, args }, [channel])
      return new Promise((r) => { w.onmessage = (e) => r(e.data) })
    }`
  await Promise.all([tx.evaluate(setup), rx.evaluate(setup)])
  const args = JSON.stringify([o.bytes, o.messageBytes])
  const worker = o.where === 'worker'
  const offer = await tx.evaluate(`(async () => {
    const pc = new RTCPeerConnection(); globalThis.pc = pc
    const dc = pc.createDataChannel('x'); dc.binaryType = 'arraybuffer'
    globalThis.sent = ${worker} ? inWorker('sender', ${args}, dc) : sender(dc, ...${args})
    await pc.setLocalDescription(await pc.createOffer()); await gathered(pc)
    return pc.localDescription.toJSON()
  })()`)
  const answer = await rx.evaluate(`(async (offer) => {
    const pc = new RTCPeerConnection(); globalThis.pc = pc
    globalThis.done = new Promise((resolve) => pc.ondatachannel = (e) =>
      resolve(${worker} ? inWorker('receiver', ${args}, e.channel) : receiver(e.channel, ${o.bytes})))
    await pc.setRemoteDescription(offer); await pc.setLocalDescription(await pc.createAnswer()); await gathered(pc)
    return pc.localDescription.toJSON()
  })(${JSON.stringify(offer)})`)
  await tx.evaluate(`pc.setRemoteDescription(${JSON.stringify(answer)})`)
  const r = (await rx.evaluate('done')) as { ms: number; got: number; stalls: number[] }
  o.done?.()
  await Promise.all([tx.context().close(), rx.context().close()])
  return { mbps: r.got / (r.ms / 1000) / 1e6, stalls: r.stalls }
}

/** Stock webtorrent in two pages: seed the data, fetch it by magnet (first piece → done). */
export async function stockWebtorrent(
  one: Browser,
  two: Browser,
  origin: string,
  tracker: string,
  done?: () => void,
): Promise<Transfer> {
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
    async ([origin, magnet, tracker, stallMs]) => {
      const { default: WebTorrent } = await import(`${origin}/webtorrent.min.js`)
      const client = new WebTorrent()
      return new Promise<{ ms: number; bytes: number; stalls: number[] }>((resolve) => {
        client.add(
          magnet,
          { announce: [tracker] },
          (t: { on(e: string, f: () => void): void; length: number; pieceLength: number }) => {
            let t0 = 0
            let last = 0
            const stalls: number[] = []
            t.on('download', () => {
              const now = performance.now()
              if (!t0) t0 = now
              if (last && now - last > stallMs) stalls.push(Math.round(now - last))
              last = now
            })
            t.on('done', () =>
              resolve({ ms: performance.now() - t0, bytes: t.length - t.pieceLength, stalls }),
            )
          },
        )
      })
    },
    [origin, magnet, tracker, STALL_MS] as const,
  )
  done?.()
  await Promise.all([s.context().close(), l.context().close()])
  return { mbps: r.bytes / (r.ms / 1000) / 1e6, stalls: r.stalls }
}
