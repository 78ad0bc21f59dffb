/**
 * The content-core benchmark (DESIGN §8), run in a Chromium dedicated worker by bench/crypto.ts.
 * One run, one data generator: every row reads the same deterministic byte stream.
 */

import { deriveContentKey, sliceCipher } from '../../src/node/crypto/content.ts'
import { DEFAULT_SLICE_SIZE, layout } from '../../src/node/crypto/layout.ts'
import { mapOrdered, slices } from '../../src/node/crypto/slicer.ts'
import { openMeta } from '../../src/node/store/meta.ts'
import { OpfsBackend } from '../../src/node/store/opfsBackend.ts'
import { publishFile } from '../../src/node/store/publish.ts'
import { browserEstimate } from '../../src/node/store/quota.ts'
import { readSliceFromBlob } from '../../src/node/store/readRange.ts'
import { createSliceStore } from '../../src/node/store/sliceStore.ts'
import type { BenchRow } from '../lib.ts'
import { percentile } from '../lib.ts'

const MiB = 1024 * 1024
const S = DEFAULT_SLICE_SIZE
const MASTER = new Uint8Array(32).fill(0x42)

type Params = {
  publishMiB: number
  peakMiB: number
  reads: number
  commitEvery?: number
  /** Slices encrypted and hashed at once, in the pipeline and the baselines alike. */
  concurrency?: number
}
let CONCURRENCY = 4
const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null
  postMessage(msg: unknown): void
  gc?: () => void
}
const log = (message: string) => scope.postMessage({ type: 'log', message })

/** A deterministic stream of `total` bytes: a random 4 MiB pool, rotated and stamped. */
function dataStream(total: number): ReadableStream<Uint8Array> {
  const pool = new Uint8Array(4 * MiB)
  for (let o = 0; o < pool.length; o += 65536) crypto.getRandomValues(pool.subarray(o, o + 65536))
  let sent = 0
  let n = 0
  return new ReadableStream<Uint8Array>(
    {
      pull(ctl) {
        if (sent >= total) return ctl.close()
        const len = Math.min(MiB, total - sent)
        const off = (n * 4099) % (pool.length - len)
        const chunk = pool.slice(off, off + len)
        new DataView(chunk.buffer).setUint32(0, n++)
        ctl.enqueue(chunk)
        sent += len
      },
    },
    { highWaterMark: 2 },
  )
}

const mbps = (bytes: number, ms: number) => Number((bytes / 1e6 / (ms / 1000)).toFixed(1))

async function newStore(name: string) {
  const files = await OpfsBackend.create(name)
  return { files, store: createSliceStore({ files, meta: await openMeta(name) }) }
}

async function baseline(total: number, op: (b: Uint8Array<ArrayBuffer>) => Promise<unknown>) {
  // Same generator, slicer and window as the pipeline: only the one operation differs.
  const t0 = performance.now()
  const it = mapOrdered(slices(dataStream(total), S - 16), CONCURRENCY, (s) => op(s.bytes))
  for await (const _ of it) {
  }
  return performance.now() - t0
}

type MemoryReport = { peak: number; peakTotal: number; samples: number }
let memoryReply: ((r: MemoryReport) => void) | null = null

/**
 * Peak memory attributed to this worker while `work` runs, sampled back to back by the page
 * with `performance.measureUserAgentSpecificMemory()` (runInChromium.ts).
 */
async function peakMemory<T>(work: () => Promise<T>): Promise<{ value: T } & MemoryReport> {
  scope.gc?.()
  const report = new Promise<MemoryReport>((resolve) => {
    memoryReply = resolve
  })
  scope.postMessage({ type: 'memory-start' })
  try {
    const value = await work()
    scope.postMessage({ type: 'memory-stop' })
    return { value, ...(await report) }
  } catch (err) {
    scope.postMessage({ type: 'memory-stop' })
    throw err
  }
}

async function run(p: Params): Promise<BenchRow[]> {
  const total = p.publishMiB * MiB
  const { files, store } = await newStore(`bench-${Date.now()}`)
  const estimate = browserEstimate
  log(`quota ${((await estimate()).quota / 2 ** 30).toFixed(1)} GiB`)

  // Publish: generate → slice → AES-256-GCM → SHA-256 → OPFS, through publishFile.
  let t0 = performance.now()
  const r = await publishFile(
    { store, estimate },
    { input: dataStream(total), size: total, contentMaster: MASTER },
    { concurrency: CONCURRENCY },
  )
  const publishMs = performance.now() - t0
  log(`publish ${p.publishMiB} MiB: ${publishMs.toFixed(0)} ms`)

  // Baselines on the same generated data: AES-GCM alone, SHA-256 alone.
  const cipher = await sliceCipher(deriveContentKey(MASTER, r.contentSalt), r.contentSalt)
  const iv = new Uint8Array(12)
  const aesMs = await baseline(total, (b) =>
    crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: cipher.aad }, cipher.key, b),
  )
  const shaMs = await baseline(total, (b) => crypto.subtle.digest('SHA-256', b))
  // Raw OPFS sync-handle writes of the same data to a fresh file, in 4 MiB writes like the
  // store's coalesced batches: the storage stage alone, the pipeline's ceiling.
  const rawName = `raw-${Date.now()}`
  const raw = await files.openWriter(rawName)
  let at = 0
  t0 = performance.now()
  for await (const s of slices(dataStream(total), 4 * MiB)) {
    await raw.write(s.bytes, at)
    at += s.bytes.length
  }
  await raw.flush()
  const writeMs = performance.now() - t0
  await raw.close()
  await files.remove(rawName)
  log(`aes ${aesMs.toFixed(0)} ms, sha ${shaMs.toFixed(0)} ms, opfs write ${writeMs.toFixed(0)} ms`)

  // Read path of the Service Worker: OPFS getFile().slice() + AES-GCM + SHA-256 per slice.
  const l = layout(total, S)
  const hashes = await store.hashes(r.id)
  const file = await files.blob(r.id)
  if (!file) throw new Error('published file missing')
  const times: number[] = []
  for (let k = 0; k < p.reads; k++) {
    const i = (k * 7919) % l.count
    t0 = performance.now()
    await readSliceFromBlob(file, l, i, cipher, hashes.subarray(32 * i, 32 * i + 32))
    times.push(performance.now() - t0)
  }
  await store.remove(r.id)

  // Peak heap while publishing a larger file.
  const big = p.peakMiB * MiB
  const peak = await peakMemory(() =>
    publishFile(
      { store, estimate },
      { input: dataStream(big), size: big, contentMaster: MASTER },
      { concurrency: CONCURRENCY },
    ),
  )
  log(
    `peak ${(peak.peak / MiB).toFixed(1)} MiB in the worker (${(peak.peakTotal / MiB).toFixed(1)} MiB page total), ${peak.samples} samples`,
  )
  await store.remove(peak.value.id)

  const publish = mbps(total, publishMs)
  const aes = mbps(total, aesMs)
  const sha = mbps(total, shaMs)
  return [
    {
      name: 'publish_mbps',
      value: publish,
      unit: `MB/s (${p.publishMiB} MiB, S=256 KiB, generate→encrypt→hash→OPFS)`,
    },
    { name: 'aesgcm_mbps', value: aes, unit: 'MB/s (WebCrypto AES-256-GCM, same data)' },
    { name: 'sha256_mbps', value: sha, unit: 'MB/s (WebCrypto SHA-256, same data)' },
    {
      name: 'opfs_write_mbps',
      value: mbps(total, writeMs),
      unit: 'MB/s (OPFS sync handle alone, 4 MiB writes, same data, fresh file)',
    },
    { name: 'publish_ratio_target', value: 0.5, unit: 'ratio' },
    {
      name: 'publish_ratio',
      value: Number((publish / Math.min(aes, sha)).toFixed(3)),
      unit: 'publish / min(aes, sha)',
      baseline: 'publish_ratio_target',
    },
    {
      name: 'read_slice_ms_p50',
      value: Number(percentile(times, 50).toFixed(3)),
      unit: `ms (getFile().slice + AES-GCM + SHA-256, ${p.reads} reads)`,
    },
    { name: 'read_slice_ms_p95', value: Number(percentile(times, 95).toFixed(3)), unit: 'ms' },
    { name: 'publish_peak_mb_target', value: 200, unit: 'MB' },
    {
      name: 'publish_peak_mb',
      value: Number((peak.peak / 1e6).toFixed(1)),
      unit: `MB (${p.peakMiB} MiB publish, measureUserAgentSpecificMemory, ${peak.samples} samples)`,
      baseline: 'publish_peak_mb_target',
    },
  ]
}

scope.onmessage = (e) => {
  const data = e.data as { type: string; params?: Params | null } & Partial<MemoryReport>
  if (data.type === 'memory') {
    memoryReply?.({
      peak: data.peak ?? 0,
      peakTotal: data.peakTotal ?? 0,
      samples: data.samples ?? 0,
    })
    return
  }
  const p = data.params ?? { publishMiB: 256, peakMiB: 1024, reads: 200 }
  CONCURRENCY = p.concurrency ?? 4
  run(p).then(
    (value) => scope.postMessage({ type: 'result', value }),
    (err: unknown) =>
      scope.postMessage({
        type: 'error',
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      }),
  )
}
