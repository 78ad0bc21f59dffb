/**
 * Lighthouse runs for `npm run bench -- ui` (issue #18): mobile performance on a first visit,
 * and accessibility and best practices with an identity and a populated feed. Lighthouse is not
 * a dependency of the app: the bench loads it from `BENCH_LIGHTHOUSE` (a path to its
 * `core/index.js`, e.g. from `npm install lighthouse@12` in any folder; 13.x needs Node 22) or
 * from node_modules, and says so when it finds neither; no score is ever made up.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The part of Lighthouse's result this reads. */
type LhResult = {
  /** What the run gathered; `Trace` is the page load's Chrome trace. */
  artifacts?: { Trace?: unknown }
  lhr: {
    categories: Record<string, { score: number | null }>
    audits: Record<
      string,
      { score: number | null; title: string; numericValue?: number; details?: unknown }
    >
    runtimeError?: { message: string }
  }
}
type Lighthouse = (
  url: string,
  flags: Record<string, unknown>,
  config?: unknown,
) => Promise<LhResult | undefined>

/** Lighthouse's entry, or null (with why) when it is not installed. */
export async function loadLighthouse(): Promise<{ run: Lighthouse } | { missing: string }> {
  const where = process.env.BENCH_LIGHTHOUSE
  try {
    const mod = (await import(where ? pathToFileURL(resolve(where)).href : 'lighthouse')) as {
      default: Lighthouse
    }
    return { run: mod.default }
  } catch (err) {
    return {
      missing: `Lighthouse is not installed (${(err as Error).message.split('\n')[0]}); set BENCH_LIGHTHOUSE to its core/index.js`,
    }
  }
}

export type Scores = {
  /** Category id → score 0–100. */
  scores: Record<string, number>
  /** Audits that failed (score below 1), by title, for the log. */
  failed: string[]
  /** The performance metrics Lighthouse measured (ms), when asked for performance. */
  metrics: Record<string, number>
  /**
   * The text of the largest contentful paint's element, when asked for performance: whether
   * the run saw the feed or ended while the node was still starting.
   */
  lcpElement?: string
}

/** The LCP element's label from the `largest-contentful-paint-element` audit's first table. */
function lcpLabel(details: unknown): string | undefined {
  const d = details as { items?: { items?: { node?: { nodeLabel?: string } }[] }[] } | undefined
  return d?.items?.[0]?.items?.[0]?.node?.nodeLabel?.split('\n')[0]?.slice(0, 60)
}

/**
 * One Lighthouse run against the Chromium listening on `port` (mobile, simulated throttling:
 * Lighthouse's defaults). `keepStorage` keeps the origin's storage (the identity and the feed);
 * otherwise Lighthouse clears it first, as for a first visit. `label` names the saved report.
 */
export async function lighthouseRun(
  lh: Lighthouse,
  url: string,
  o: { port: number; categories: string[]; keepStorage: boolean; label: string },
): Promise<Scores> {
  const result = await lh(url, {
    port: o.port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: o.categories,
    disableStorageReset: o.keepStorage,
    // BENCH_LIGHTHOUSE_SAMPLES=1: V8's sampling profiler in the trace (which functions a long
    // task ran; it costs a little CPU of its own, so not for the figures).
    ...(process.env.BENCH_LIGHTHOUSE_SAMPLES === '1'
      ? { additionalTraceCategories: 'disabled-by-default-v8.cpu_profiler' }
      : {}),
  })
  if (!result) throw new Error('Lighthouse returned nothing')
  const { lhr } = result
  // BENCH_LIGHTHOUSE_OUT keeps each full report (`<label>.json`) for reading the audits, and
  // the page load's trace (`<label>.trace.json`, for DevTools' Performance panel).
  const out = process.env.BENCH_LIGHTHOUSE_OUT
  if (out) {
    await mkdir(out, { recursive: true })
    await writeFile(join(out, `${o.label}.json`), JSON.stringify(lhr, null, 1))
    if (result.artifacts?.Trace)
      await writeFile(join(out, `${o.label}.trace.json`), JSON.stringify(result.artifacts.Trace))
  }
  if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.message}`)
  const scores: Record<string, number> = {}
  for (const id of o.categories) {
    const s = lhr.categories[id]?.score
    if (s === null || s === undefined) throw new Error(`Lighthouse gave no ${id} score`)
    scores[id] = Math.round(s * 100)
  }
  const failed = Object.entries(lhr.audits)
    .filter(([, a]) => a.score !== null && a.score < 1)
    .map(([id, a]) => `${id} (${a.score})`)
  const metrics: Record<string, number> = {}
  for (const id of [
    'first-contentful-paint',
    'largest-contentful-paint',
    'total-blocking-time',
    'speed-index',
  ]) {
    const v = lhr.audits[id]?.numericValue
    if (v !== undefined) metrics[id] = Math.round(v)
  }
  const lcpElement = lcpLabel(lhr.audits['largest-contentful-paint-element']?.details)
  return { scores, failed, metrics, ...(lcpElement ? { lcpElement } : {}) }
}
