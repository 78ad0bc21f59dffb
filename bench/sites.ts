/**
 * `npm run bench -- sites` (issue #19, DESIGN §4.8): how soon a packaged site paints.
 *
 * The site is a realistic small one, ≈ 1 MiB in 7 files, built here the same every run: an
 * index page with a render-blocking stylesheet (37 kB) and script (233 kB) in its head, text,
 * and four JPEG photos (120–340 kB, ffmpeg test patterns at 1920×1080 with seeded grain).
 *
 * First paint is the site document's own first-contentful-paint (a `paint` PerformanceObserver
 * in the site's frame), counted from the moment the app is asked to open the site, in absolute
 * time (`performance.timeOrigin` + the entry's time, against the app page's clock): so it
 * includes all the app does first — the card lookup, `content.play`, the site's bootstrap
 * frame and its port to the node — not only the site's own load.
 *
 * - `site_first_paint_local_ms`: publisher A's own tab (the site is in its store) opens
 *   `/site/<cardId>` by in-app navigation (as a click does), served by the site's Service
 *   Worker through the node's range reader.
 * - `site_first_paint_http_ms`: the same files from a static HTTP server (bench/_stream.ts
 *   serveStatic, `no-store`, so every round moves every byte, as the Service Worker does),
 *   framed by the same app page: an iframe of the server's `/index.html` added to the page,
 *   at `static.hashcard.localhost` — a host of the app's site, as the site's own origin is,
 *   so neither frame needs a renderer process of its own (a 127.0.0.1 frame would).
 *   Rounds alternate with the local ones, in the same tab.
 * - `site_first_paint_local_vs_http`: their ratio (target ≤ 1.5).
 * - `site_first_paint_peer_ms`: a visitor B with nothing stored — a new browser on a new
 *   profile each round, its node up and the card in its feed — opens the site; every file
 *   comes from A through the swarm (tracker lookup, a WebRTC connection, the archive's index,
 *   then the files). This is a first visit: it includes registering the site's Service Worker.
 *
 * Each round's log line also gives the part before the site's document started (for the
 * local and peer opens: the card lookup, `content.play`, the bootstrap and the port).
 * Medians of BENCH_ROUNDS (default 5) rounds; local and HTTP after one warm-up round each
 * (the site's Service Worker is registered by the first open, once per browser).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Frame, Page } from 'playwright-core'
import { ensureAppBuilt } from '../scripts/build-app.ts'
import type { FeedCard } from '../src/shared/card/feed.ts'
import { siteOrigin } from '../src/shared/site/origin.ts'
import { benchStack, fundTab, until } from './_app.ts'
import { appPage, createIdentity, rpc, serveStatic } from './_stream.ts'
import { type BenchOptions, type BenchRow, percentile } from './lib.ts'

const TARGET_RATIO = 1.5
const TARGET_PEER_MS = 1_500

type SiteFile = { body: Buffer; type: string }

/** A JPEG test pattern made by ffmpeg, cached in the temp folder. */
function photo(pattern: string): Buffer {
  const file = join(tmpdir(), `hashcard-site-1080-${pattern}.jpg`)
  if (!existsSync(file))
    // biome-ignore format: one command line
    execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', `${pattern}=size=1920x1080`, '-vf', 'noise=alls=12:allf=u:all_seed=1', '-frames:v', '1', '-q:v', '4', file])
  return readFileSync(file)
}

/** The site's files by path: deterministic, ≈ 1 MiB. */
export function benchSite(): Record<string, SiteFile> {
  const css = Array.from(
    { length: 700 },
    (_, i) =>
      `.c${i} { margin: ${i % 7}px ${i % 11}px; color: rgb(${i % 255}, ${(i * 7) % 255}, ${(i * 13) % 255}); }`,
  ).join('\n')
  const js = Array.from(
    { length: 2_600 },
    (_, i) =>
      `function f${i}(x) { const y = x * ${i} + ${i % 97}; return y % ${(i % 13) + 2} === 0 ? 'even${i}' : 'odd${i}' }`,
  ).join('\n')
  const photos = ['testsrc2', 'testsrc', 'smptehdbars', 'mandelbrot']
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A small site</title>
<link rel="stylesheet" href="css/site.css"><script src="js/app.js"></script></head>
<body><h1 class="c1">A small site</h1><p class="c2">Text, a stylesheet, a script and four photos.</p>
${photos.map((p, i) => `<img src="img/${i}.jpg" width="320" height="180" alt="${p}">`).join('\n')}
<p id="out" class="c3"></p><script>document.getElementById('out').textContent = f7(3)</script></body></html>`
  const files: Record<string, SiteFile> = {
    '/index.html': { body: Buffer.from(html), type: 'text/html; charset=utf-8' },
    '/css/site.css': { body: Buffer.from(css), type: 'text/css; charset=utf-8' },
    '/js/app.js': { body: Buffer.from(js), type: 'text/javascript; charset=utf-8' },
  }
  for (const [i, p] of photos.entries())
    files[`/img/${i}.jpg`] = { body: photo(p), type: 'image/jpeg' }
  return files
}

/** The app page's global (src/ui/main.ts): its node's RPC. */
type AppGlobal = {
  hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<{ cardId: string }> } } }
}

/**
 * Publishes the site as a free card through the compose view's RPC (`feed.publish` with the
 * folder's files). Its bytes go into the page with the call: the app's connect-src (narrowed
 * by the relay to its own origins) does not admit the bench's static server.
 */
function publishSite(page: Page, files: Record<string, SiteFile>): Promise<string> {
  const wire = Object.entries(files).map(([p, f]) => [p, f.body.toString('base64')] as const)
  return page.evaluate(async (wire) => {
    const files = wire.map(([p, b64]) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
      return { path: p.slice(1), file: new File([bytes], p.split('/').pop() as string) }
    })
    const { rpc } = (globalThis as unknown as AppGlobal).hashcard.node
    const r = await rpc.call('feed.publish', {
      jobId: crypto.randomUUID(),
      draft: { kind: 'site', title: 'Bench site', tags: [], access: { free: true } },
      site: { files, entry: 'index.html' },
    })
    return r.cardId
  }, wire)
}

/**
 * When `frame`'s document started (its navigation, `timeOrigin`) and first painted content
 * (first-contentful-paint), in absolute time (ms since the epoch).
 */
function paintAt(frame: Frame): Promise<{ start: number; paint: number }> {
  return frame.evaluate(
    () =>
      new Promise<{ start: number; paint: number }>((resolve, reject) => {
        const start = performance.timeOrigin
        new PerformanceObserver((list) => {
          const fcp = list.getEntries().find((e) => e.name === 'first-contentful-paint')
          if (fcp) resolve({ start, paint: start + fcp.startTime })
        }).observe({ type: 'paint', buffered: true })
        setTimeout(() => reject(new Error('no first-contentful-paint in 30 s')), 30_000)
      }),
  )
}

/** One open: to first paint, and of it, until the site's document started (the app's part). */
type Open = { ms: number; beforeDocMs: number }
const opened = (t0: number, p: { start: number; paint: number }): Open => ({
  ms: p.paint - t0,
  beforeDocMs: p.start - t0,
})
const show = (xs: Open[]) =>
  xs.map((o) => `${o.ms.toFixed(0)} (${o.beforeDocMs.toFixed(0)})`).join(', ')

/** The app page's clock now, in absolute time; then navigates in the app (no reload). */
function appNavigate(page: Page, path: string): Promise<number> {
  return page.evaluate((p) => {
    const t0 = performance.timeOrigin + performance.now()
    history.pushState(null, '', p)
    dispatchEvent(new PopStateEvent('popstate'))
    return t0
  }, path)
}

/** Leaves any site view, so the next open mounts it afresh. */
async function leave(page: Page): Promise<void> {
  await appNavigate(page, '/node')
  await new Promise((r) => setTimeout(r, 300))
}

/** The first frame of `page` not in `before` that `accept` takes, polled every 20 ms. */
async function newFrame(
  page: Page,
  before: Set<Frame>,
  accept: (f: Frame) => boolean,
): Promise<Frame> {
  const deadline = performance.now() + 60_000
  for (;;) {
    const f = page.frames().find((f) => !before.has(f) && !f.isDetached() && accept(f))
    if (f) return f
    if (performance.now() > deadline) throw new Error('no new frame in 60 s')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * Where an open's time went, in ms from t0 (the ask to open), from the frames' own timing
 * entries: the bootstrap frame's start and load, the site document's start, its response
 * (the Service Worker's answer: the node had read the archive's index and the page's first
 * slice) and end, and each render-blocking file's request, response and end.
 */
async function breakdown(boot: Frame | undefined, site: Frame, t0: number): Promise<string> {
  const at = (x: number) => Math.round(x - t0)
  const parts: string[] = []
  if (boot) {
    const b = await boot.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
      return { origin: performance.timeOrigin, load: n?.loadEventEnd ?? 0 }
    })
    parts.push(`boot ${at(b.origin)}..${at(b.origin + b.load)}`)
  }
  const s = await site.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
    const files = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((e) => /\.(css|js)$/.test(e.name))
      .map((e) => ({
        name: new URL(e.name).pathname,
        start: e.startTime,
        response: e.responseStart,
        end: e.responseEnd,
      }))
    return {
      origin: performance.timeOrigin,
      response: n?.responseStart ?? 0,
      end: n?.responseEnd ?? 0,
      files,
    }
  })
  const o = s.origin
  parts.push(`doc ${at(o)} resp ${at(o + s.response)} end ${at(o + s.end)}`)
  for (const f of s.files)
    parts.push(`${f.name} ${at(o + f.start)}/${at(o + f.response)}/${at(o + f.end)}`)
  return parts.join('; ')
}

/**
 * ms from asking the app to open the site to the site's first contentful paint; `detail`
 * hears the open's {@link breakdown}.
 */
async function openThroughApp(
  page: Page,
  cardId: string,
  detail?: (line: string) => void,
): Promise<Open> {
  await leave(page)
  const origin = siteOrigin(new URL(page.url()), cardId)
  const before = new Set(page.frames())
  const t0 = await appNavigate(page, `/site/${cardId}`)
  if (detail) detail(`t0 at bench clock ${(performance.now() / 1000).toFixed(3)} s`)
  const frame = await newFrame(
    page,
    before,
    (f) => f.url().startsWith(`${origin}/`) && !f.url().includes('/__hc/'),
  )
  const o = opened(t0, await paintAt(frame))
  if (detail) {
    const boot = page.frames().find((f) => f.url().startsWith(`${origin}/__hc/boot`))
    detail(`${await breakdown(boot, frame, t0)}; paint ${Math.round(o.ms)}`)
  }
  return o
}

/** ms from adding a frame of the static server's site to the app page to its first paint. */
async function openOverHttp(page: Page, url: string): Promise<Open> {
  await leave(page)
  const before = new Set(page.frames())
  const t0 = await page.evaluate((src) => {
    document.getElementById('bench-http')?.remove()
    const f = document.createElement('iframe')
    f.id = 'bench-http'
    f.style.cssText = 'position:fixed;inset:10% 5%;width:90%;height:75vh;background:#fff'
    const t = performance.timeOrigin + performance.now()
    f.src = src
    document.body.append(f)
    return t
  }, url)
  const frame = await newFrame(page, before, (f) => f.url() === url)
  const o = opened(t0, await paintAt(frame))
  await page.evaluate(() => document.getElementById('bench-http')?.remove())
  return o
}

export async function run({ log }: BenchOptions): Promise<BenchRow[]> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
  if (!process.env.BENCH_APP_DIR) await ensureAppBuilt(log)
  const files = benchSite()
  const bytes = Object.values(files).reduce((n, f) => n + f.body.length, 0)
  log(`site: ${Object.keys(files).length} files, ${(bytes / 1024).toFixed(0)} KiB`)
  const server: Server = await serveStatic(files)
  const port = (server.address() as { port: number }).port
  const { stack, dataDir, launch } = await benchStack('sites', log)
  // Sites need a host name whose subdomains are theirs (src/shared/site/origin.ts).
  const appUrl = new URL(stack.relay.url)
  appUrl.hostname = 'hashcard.localhost'
  const browsers: { close(): Promise<void> }[] = []
  try {
    const [aBrowser, aProfile] = await launch()
    browsers.push(aBrowser)
    const a = await appPage(aProfile, appUrl.href, 'A')
    await a.setViewportSize({ width: 1280, height: 800 })
    await createIdentity(a)
    await fundTab(stack, a)
    const cardId = await publishSite(a, files)
    log(`published ${cardId}`)

    const local: Open[] = []
    const http: Open[] = []
    // The static server under a host of the app's site, as the site's own origin is: both
    // frames may share the app's renderer process (a 127.0.0.1 frame would need a new one).
    const staticUrl = `http://static.hashcard.localhost:${port}/index.html`
    await openThroughApp(a, cardId) // warm-up: registers the site's Service Worker
    await openOverHttp(a, staticUrl)
    for (let r = 0; r < rounds; r++) {
      local.push(await openThroughApp(a, cardId))
      http.push(await openOverHttp(a, staticUrl))
    }
    log(`local, ms to first paint (to the document's start): ${show(local)}`)
    log(`http:  ${show(http)}`)

    const peer: Open[] = []
    for (let r = 0; r < rounds; r++) {
      const [bBrowser, bProfile] = await launch()
      try {
        const b = await appPage(bProfile, appUrl.href, `B${r}`)
        await b.setViewportSize({ width: 1280, height: 800 })
        await createIdentity(b)
        await until(
          'the card in the visitor feed',
          async () => (await rpc<FeedCard | null>(b, 'feed.card', { id: cardId })) !== null,
        )
        peer.push(await openThroughApp(b, cardId, (l) => log(`peer round ${r + 1}: ${l}`)))
        log(`peer round ${r + 1}: ${show(peer.slice(-1))} ms`)
      } finally {
        await bBrowser.close()
      }
    }

    const med = (xs: Open[]) =>
      Math.round(
        percentile(
          xs.map((o) => o.ms),
          50,
        ),
      )
    return [
      { name: 'site_bytes', value: bytes, unit: 'B' },
      { name: 'site_first_paint_http_ms', value: med(http), unit: 'ms' },
      {
        name: 'site_first_paint_local_ms',
        value: med(local),
        unit: 'ms',
        baseline: 'site_first_paint_http_ms',
      },
      {
        name: 'site_first_paint_local_vs_http',
        value: Number((med(local) / med(http)).toFixed(3)),
        unit: 'x',
        baseline: 'site_first_paint_local_vs_http_target',
      },
      { name: 'site_first_paint_local_vs_http_target', value: TARGET_RATIO, unit: 'x' },
      { name: 'site_first_paint_peer_target_ms', value: TARGET_PEER_MS, unit: 'ms' },
      {
        name: 'site_first_paint_peer_ms',
        value: med(peer),
        unit: 'ms',
        baseline: 'site_first_paint_peer_target_ms',
      },
    ]
  } finally {
    for (const b of browsers) await b.close().catch(() => {})
    server.close()
    await stack.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}
