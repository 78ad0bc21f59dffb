/**
 * `npm run bench -- crypto`: the content core in a Chromium dedicated worker (DESIGN §8).
 * Rows: publish_mbps (256 MiB end to end through publishFile, the store's files in an I/O
 * worker as the app has them), publish_in_thread_mbps (the same with the OPFS sync-handle
 * calls in the publishing thread, as before opfsIo.ts: what the I/O worker buys), aesgcm_mbps
 * and sha256_mbps (WebCrypto alone on the same data, same run), aes_then_sha_mbps (both
 * chained per slice, no storage: the crypto ceiling of publish), opfs_write_mbps (OPFS
 * sync-handle writes alone, measured as PLATFORM.md did: the disk's ceiling) and
 * opfs_store_write_mbps (raw sync-handle calls in the store's pattern: preallocated, 4 MiB
 * writes, a flush per 16 MiB; no store code), publish_ratio against its 0.5 target,
 * read_slice_ms_p50 (one slice read as `/c/` reads it: the store through the I/O worker,
 * checked and decrypted) beside read_slice_blob_ms_p50 (the Blob path it replaced), publish_peak_mb (1 GiB publish, both
 * workers) against its 200 MB target. The work is in bench/_browser/crypto.worker.ts.
 *
 * Both publish rows are measured after an unmeasured 64 MiB warm-up of each store. On a
 * shared 2-core machine every row moves by tens of percent from run to run (and a disk write
 * stalls ≈ 0.5 s now and then, opfsBackend.ts): compare rows of one run, over several runs.
 */
import { fileURLToPath } from 'node:url'
import { runWorkerInChromium } from './_browser/runInChromium.ts'
import type { BenchOptions, BenchRow } from './lib.ts'

export async function run({ signal, log }: BenchOptions): Promise<BenchRow[]> {
  return runWorkerInChromium<BenchRow[]>({
    entry: fileURLToPath(new URL('./_browser/crypto.worker.ts', import.meta.url)),
    signal,
    log,
    timeoutMs: 600_000,
    // OPFS on disk, as users have it (PLATFORM.md's figures); off the record it is in memory.
    persistentProfile: process.env.BENCH_INCOGNITO !== '1',
    params: {
      publishMiB: Number(process.env.BENCH_PUBLISH_MIB ?? 256),
      peakMiB: Number(process.env.BENCH_PEAK_MIB ?? 1024),
      reads: 200,
      ...(process.env.BENCH_CONCURRENCY
        ? { concurrency: Number(process.env.BENCH_CONCURRENCY) }
        : {}),
      ...(process.env.BENCH_COMMIT_EVERY
        ? { commitEvery: Number(process.env.BENCH_COMMIT_EVERY) }
        : {}),
    },
  })
}
