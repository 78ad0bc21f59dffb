/**
 * `npm run bench -- ui`: the lenses in a real app tab (issue #18), over a feed index the tab's
 * own node holds — 100,000 synthetic cards indexed through the indexer's write path
 * (`feed.devFill`, development chains only; BENCH_UI_CARDS changes the count).
 * - lens_first_paint_ms_<lens>: from the in-app navigation to a lens until the frame after its
 *   first card is in the DOM (median of BENCH_UI_RUNS, default 5), beside the 300 ms target.
 * - scroll_jank_pct (the mixed All list) and scroll_jank_pct_photos (the grid): scrolling
 *   BENCH_UI_SCROLL cards (default 1,000) at a steady 80 px a frame, the share of frames that
 *   missed their slot, read from requestAnimationFrame deltas: a frame is janky when its
 *   delta passes 1.5 × the idle frame interval measured just before (16.7 ms at 60 Hz, so
 *   "over 16 ms" means a dropped frame, not the frame itself). Frames spent waiting at the
 *   end of the list for the next page do not count. Beside the 5 % target.
 * - lighthouse_a11y and lighthouse_best_practices: Lighthouse (bench/_lighthouse.ts) over the
 *   home page, a lens, the notifications and the wallet of a tab with an identity and the
 *   indexed feed, the lowest score of those pages (target 100 each).
 * - lighthouse_mobile_perf: Lighthouse's mobile performance score of a first visit to `/`
 *   (simulated throttling), median of BENCH_UI_LH_RUNS (3), target 95. Lighthouse 12 clears
 *   the Service Worker, Cache Storage and the HTTP cache but keeps IndexedDB: the page loads
 *   every file afresh and shows the identity and the feed once the node worker has started.
 *   A run may end before that (Lighthouse stops after a quiet second), so each run logs its
 *   LCP element. Run last: it drops the Service Worker.
 * BENCH_UI_ONLY=paint,jank,lighthouse runs parts (`lighthouse-perf`: only the mobile performance
 * runs).
 */
import { rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import type { Page } from 'playwright-core'
import { ensureAppBuilt } from '../scripts/build-app.ts'
import { benchStack } from './_app.ts'
import { lighthouseRun, loadLighthouse } from './_lighthouse.ts'
import { appPage, createIdentity, rpc } from './_stream.ts'
import { type BenchOptions, type BenchRow, percentile } from './lib.ts'

const LENSES = ['all', 'posts', 'photos', 'watch', 'listen', 'read', 'apps'] as const
const TARGET_PAINT_MS = 300
const TARGET_JANK_PCT = 5
const TARGET_LH_PERF = 95
/** The pages Lighthouse checks for accessibility and best practices (with an identity). */
const LH_PAGES = ['/', '/feed/photos', '/activity', '/wallet']

/** A TCP port nobody listens on now (Chromium's DevTools port for Lighthouse). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise((r) => server.close(r))
  return port
}

/** ms from navigating to `/feed/<lens>` to the frame after its first card is in the DOM. */
async function firstPaint(page: Page, lens: string): Promise<number> {
  return page.evaluate(
    async (path) => {
      // In-app navigation (no reload: the node keeps running).
      const go = (p: string) => {
        history.pushState(null, '', p)
        dispatchEvent(new PopStateEvent('popstate'))
      }
      go('/node') // leave the feed, so the lens mounts afresh
      await new Promise((r) => setTimeout(r, 300))
      const frame = () => new Promise<number>((r) => requestAnimationFrame(r))
      const t0 = performance.now()
      go(path)
      const deadline = t0 + 30_000
      while (!document.querySelector('[data-testid="lens-scroll"] [data-testid="card"]')) {
        if (performance.now() > deadline) throw new Error(`${path}: no card after 30 s`)
        await frame()
      }
      await frame()
      return performance.now() - t0
    },
    lens === 'all' ? '/feed' : `/feed/${lens}`,
  )
}

type Jank = { frames: number; janky: number; idleMs: number; seconds: number; cards: number }

/** Scrolls `path` through `cards` cards at 80 px a frame and counts the frames that ran late. */
async function scrollJank(page: Page, path: string, cards: number): Promise<Jank> {
  return page.evaluate(
    async ([path, cards]) => {
      const go = (p: string) => {
        history.pushState(null, '', p)
        dispatchEvent(new PopStateEvent('popstate'))
      }
      go('/node')
      await new Promise((r) => setTimeout(r, 300))
      go(path)
      const frame = () => new Promise<number>((r) => requestAnimationFrame(r))
      const root = () => document.querySelector<HTMLElement>('[data-testid="lens-scroll"]')
      while (!root()?.querySelector('[data-testid="card"]')) await frame()
      scrollTo(0, 0)
      // The idle frame interval: the display's rate, as this browser runs it.
      const idle: number[] = []
      let prev = await frame()
      for (let i = 0; i < 40; i++) {
        const t = await frame()
        idle.push(t - prev)
        prev = t
      }
      idle.sort((a, b) => a - b)
      const idleMs = idle[idle.length >> 1] as number
      const late = 1.5 * idleMs
      let frames = 0
      let janky = 0
      let y = scrollY
      const t0 = performance.now()
      prev = await frame()
      while (Number(root()?.dataset.endItem ?? 0) < cards) {
        if (performance.now() - t0 > 300_000) throw new Error(`${path}: scrolling took over 5 min`)
        scrollBy(0, 80)
        const t = await frame()
        // A frame counts when the page moved: waiting for the next page is not jank.
        if (scrollY !== y) {
          frames++
          if (t - prev > late) janky++
        }
        y = scrollY
        prev = t
      }
      return {
        frames,
        janky,
        idleMs,
        seconds: (performance.now() - t0) / 1000,
        cards: Number(root()?.dataset.count ?? 0),
      }
    },
    [path, cards] as const,
  )
}

export async function run({ log }: BenchOptions): Promise<BenchRow[]> {
  const count = Number(process.env.BENCH_UI_CARDS ?? 100_000)
  const scrollCards = Number(process.env.BENCH_UI_SCROLL ?? 1_000)
  const runs = Number(process.env.BENCH_UI_RUNS ?? 5)
  if (!process.env.BENCH_APP_DIR) await ensureAppBuilt(log)
  const only = new Set((process.env.BENCH_UI_ONLY ?? 'paint,jank,lighthouse').split(','))
  const lhRuns = Number(process.env.BENCH_UI_LH_RUNS ?? 3)
  const lhPerfOnly = only.has('lighthouse-perf') && !only.has('lighthouse')
  const lh = only.has('lighthouse') || lhPerfOnly ? await loadLighthouse() : null
  const port = await freePort()
  const { stack, dataDir, launch } = await benchStack('ui', log, {
    args: [`--remote-debugging-port=${port}`],
  })
  const [browser, profile] = await launch()
  const rows: BenchRow[] = []
  try {
    const page = await appPage(profile, stack.relay.url, 'ui')
    await page.setViewportSize({ width: 1280, height: 800 })
    // A person's tab: the header's bell and their links, as Lighthouse should see them.
    await createIdentity(page)
    await page.evaluate(() =>
      (
        globalThis as unknown as { hashcard: { node: { refreshIdentity(): Promise<void> } } }
      ).hashcard.node.refreshIdentity(),
    )
    log(`indexing ${count} synthetic cards in the tab's node`)
    const filled = await rpc<{ cards: number; ms: number }>(page, 'feed.devFill', { count })
    log(`indexed ${filled.cards} cards in ${(filled.ms / 1000).toFixed(1)} s`)
    rows.push({ name: 'ui_indexed_cards', value: filled.cards, unit: 'cards' })
    rows.push({ name: 'ui_index_fill_s', value: Number((filled.ms / 1000).toFixed(1)), unit: 's' })

    if (only.has('paint'))
      rows.push({ name: 'lens_first_paint_target_ms', value: TARGET_PAINT_MS, unit: 'ms' })
    for (const lens of only.has('paint') ? LENSES : []) {
      await firstPaint(page, lens) // warm: the lens's code and the index pages it reads
      const times: number[] = []
      for (let r = 0; r < runs; r++) times.push(await firstPaint(page, lens))
      const median = percentile(times, 50)
      log(`${lens}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`)
      rows.push({
        name: `lens_first_paint_ms_${lens}`,
        value: Math.round(median),
        unit: 'ms',
        baseline: 'lens_first_paint_target_ms',
      })
    }

    if (only.has('jank'))
      rows.push({ name: 'scroll_jank_target_pct', value: TARGET_JANK_PCT, unit: '%' })
    for (const [name, path] of only.has('jank')
      ? ([
          ['scroll_jank_pct', '/feed'],
          ['scroll_jank_pct_photos', '/feed/photos'],
        ] as const)
      : []) {
      const j = await scrollJank(page, path, scrollCards)
      const pct = j.frames > 0 ? (100 * j.janky) / j.frames : 0
      log(
        `${path}: ${j.janky} of ${j.frames} frames late (idle frame ${j.idleMs.toFixed(1)} ms), ` +
          `${j.cards} cards loaded in ${j.seconds.toFixed(1)} s`,
      )
      rows.push({
        name,
        value: Number(pct.toFixed(2)),
        unit: '%',
        baseline: 'scroll_jank_target_pct',
      })
    }
    if (lh && 'missing' in lh) log(`no Lighthouse rows: ${lh.missing}`)
    else if (lh) {
      // Lighthouse opens tabs of its own: the node must be free to start in them (one per
      // profile), so the bench's tab goes.
      await page.close()
      const url = (path: string) => new URL(path, stack.relay.url).href
      const worst = { accessibility: 100, 'best-practices': 100 }
      for (const path of lhPerfOnly ? [] : LH_PAGES) {
        const r = await lighthouseRun(lh.run, url(path), {
          port,
          categories: ['accessibility', 'best-practices'],
          keepStorage: true,
          label: `a11y-bp${path.replaceAll('/', '-')}`,
        })
        log(`lighthouse ${path}: ${JSON.stringify(r.scores)}; below 1: ${r.failed.join(', ')}`)
        worst.accessibility = Math.min(worst.accessibility, r.scores.accessibility ?? 0)
        worst['best-practices'] = Math.min(worst['best-practices'], r.scores['best-practices'] ?? 0)
      }
      if (!lhPerfOnly) {
        rows.push({ name: 'lighthouse_target', value: 100, unit: 'score' })
        rows.push({
          name: 'lighthouse_a11y',
          value: worst.accessibility,
          unit: 'score',
          baseline: 'lighthouse_target',
        })
        rows.push({
          name: 'lighthouse_best_practices',
          value: worst['best-practices'],
          unit: 'score',
          baseline: 'lighthouse_target',
        })
      }
      const perf: number[] = []
      for (let r = 0; r < lhRuns; r++) {
        const p = await lighthouseRun(lh.run, url('/'), {
          port,
          categories: ['performance'],
          keepStorage: false,
          label: `perf-${r + 1}`,
        })
        perf.push(p.scores.performance ?? 0)
        log(
          `lighthouse perf run ${r + 1}: ${p.scores.performance} ${JSON.stringify(p.metrics)}, ` +
            `LCP element ${JSON.stringify(p.lcpElement ?? null)}; below 1: ${p.failed.join(', ')}`,
        )
      }
      rows.push({ name: 'lighthouse_mobile_perf_target', value: TARGET_LH_PERF, unit: 'score' })
      rows.push({
        name: 'lighthouse_mobile_perf',
        value: percentile(perf, 50),
        unit: 'score',
        baseline: 'lighthouse_mobile_perf_target',
      })
    }
    return rows
  } finally {
    await browser.close()
    await stack.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}
