/**
 * Runs a worker script in a real Chromium dedicated worker and returns what it posts: bundles
 * the entry with esbuild, serves it (cross-origin isolated, so `performance.memory` and
 * `measureUserAgentSpecificMemory` work) on a free 127.0.0.1 port, opens it in headless
 * Chromium (PLATFORM.md flags) and waits for the result. Shared by tests and benchmarks.
 *
 * The worker protocol: post `{ type: 'log', message }` any number of times, then exactly one
 * `{ type: 'result', value }` or `{ type: 'error', error }`. A worker may post
 * `{ type: 'memory-start' }` and later `{ type: 'memory-stop' }`: it then receives
 * `{ type: 'memory', peak, peakTotal, samples }` (bytes, `measureUserAgentSpecificMemory()`
 * attributed to the worker, and for the whole page).
 *
 * @example const rows = await runWorkerInChromium<BenchRow[]>({ entry: 'bench/_browser/crypto.worker.ts' })
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'
import { chromiumLaunchOptions } from '../../e2e/browser.ts'

/** The e2e launch flags (PLATFORM.md), plus what memory measurement needs. */
export const CHROMIUM_ARGS = [
  ...(chromiumLaunchOptions().args ?? []),
  '--enable-precise-memory-info',
  '--js-flags=--expose-gc',
  // measureUserAgentSpecificMemory() answers at once instead of after the next GC (≤ 20 s).
  '--enable-blink-features=ForceEagerMeasureMemory',
]

export type RunWorkerOptions = {
  /** Path of the worker's TypeScript entry (bundled with its imports). */
  entry: string
  signal?: AbortSignal
  /** Default 120 s. */
  timeoutMs?: number
  log?: (message: string) => void
  /** Passed to the worker as its first message `{ type: 'start', params }`. */
  params?: unknown
  /**
   * Run in a normal on-disk profile (a fresh temporary user-data dir) instead of Playwright's
   * default off-the-record context. Off the record, OPFS lives in the browser process's memory
   * and every sync-access-handle call is an IPC (≈ 10× slower writes, `flush()` does nothing);
   * storage benchmarks need the real path.
   */
  persistentProfile?: boolean
}

/** Bundles a worker entry for the browser (ES module, everything inlined). */
export async function bundleWorker(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  })
  const file = out.outputFiles[0]
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`)
  return file.text
}

// The page relays the worker's reports, and on request samples memory for it: a dedicated
// worker has neither `performance.memory` nor `measureUserAgentSpecificMemory`, but its
// cross-origin isolated page can measure it (the breakdown attributes bytes to the worker).
const PAGE = `<!doctype html><meta charset="utf-8"><title>worker</title><script type="module">
const w = new Worker('/worker.js', { type: 'module' })
let sampling = null
async function sample() {
  const s = { peak: 0, peakTotal: 0, samples: 0, running: true }
  sampling = s
  while (s.running) {
    const m = await performance.measureUserAgentSpecificMemory()
    let worker = 0
    for (const b of m.breakdown)
      if (b.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope')) worker += b.bytes
    s.peak = Math.max(s.peak, worker)
    s.peakTotal = Math.max(s.peakTotal, m.bytes)
    s.samples++
  }
  w.postMessage({ type: 'memory', peak: s.peak, peakTotal: s.peakTotal, samples: s.samples })
}
w.onmessage = (e) => {
  if (e.data?.type === 'memory-start') sample()
  else if (e.data?.type === 'memory-stop') { if (sampling) sampling.running = false }
  else window.__report(e.data)
}
w.onerror = (e) => window.__report({ type: 'error', error: 'worker error: ' + (e.message || 'load failed') })
w.postMessage({ type: 'start', params: window.__params })
</script>`

export async function runWorkerInChromium<T>(options: RunWorkerOptions): Promise<T> {
  const { entry, signal, log = () => {}, timeoutMs = 120_000 } = options
  const code = await bundleWorker(entry)
  const server = await serve(code, options.params)
  const launch = { executablePath: chromiumLaunchOptions().executablePath, args: CHROMIUM_ARGS }
  const profileDir = options.persistentProfile
    ? await mkdtemp(join(tmpdir(), 'hashcard-bench-profile-'))
    : null
  const browser = profileDir
    ? await chromium.launchPersistentContext(profileDir, launch)
    : await chromium.launch(launch)
  try {
    const page = await browser.newPage()
    let settle!: { resolve: (v: T) => void; reject: (e: Error) => void }
    const done = new Promise<T>((resolve, reject) => {
      settle = { resolve, reject }
    })
    const timer = setTimeout(
      () => settle.reject(new Error(`worker ${entry} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    )
    const onAbort = () => settle.reject(new Error('aborted'))
    signal?.addEventListener('abort', onAbort, { once: true })
    // Exposed before the page loads, so the worker's first message finds it.
    await page.exposeFunction(
      '__report',
      (msg: { type: string; message?: string; value?: T; error?: string }) => {
        if (msg.type === 'log') log(String(msg.message))
        else if (msg.type === 'result') settle.resolve(msg.value as T)
        else settle.reject(new Error(msg.error ?? 'worker failed'))
      },
    )
    page.on('pageerror', (err) => settle.reject(err))
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
    try {
      return await done
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  } finally {
    await browser.close()
    server.close()
    if (profileDir) await rm(profileDir, { recursive: true, force: true })
  }
}

function serve(code: string, params: unknown): Promise<Server> {
  const page = PAGE.replace(
    '<script type="module">',
    `<script>window.__params = ${JSON.stringify(params ?? null)}</script><script type="module">`,
  )
  const server = createServer((req, res) => {
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cache-Control': 'no-store',
    }
    if (req.url === '/worker.js') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(code)
    } else if (req.url === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(page)
    } else res.writeHead(404).end()
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}
