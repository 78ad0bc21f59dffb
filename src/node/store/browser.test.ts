/**
 * The content core's checks again, inside a Chromium dedicated worker (real WebCrypto, OPFS
 * sync access handles, IndexedDB): DESIGN §8.
 */
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { runWorkerInChromium } from '../../../bench/_browser/runInChromium.ts'
import { contentChecks } from '../crypto/_content.checks.ts'
import { identityChecks } from '../crypto/_identity.checks.ts'
import { vectorChecks } from '../crypto/_vectors.checks.ts'
import { storeChecks } from './_store.checks.ts'

type Result = { name: string; ok: boolean; error?: string; ms: number }
const names = [
  ...vectorChecks,
  ...contentChecks,
  ...identityChecks,
  ...storeChecks(() => Promise.reject(new Error('names only'))),
].map((c) => c.name)

let results: Result[] = []
beforeAll(async () => {
  results = await runWorkerInChromium<Result[]>({
    entry: fileURLToPath(new URL('./_browser.worker.ts', import.meta.url)),
    timeoutMs: 90_000,
  })
}, 120_000)

describe('content core in a Chromium dedicated worker', () => {
  it('ran every check', () => {
    expect(results.map((r) => r.name)).toEqual(names)
  })
  for (const name of names)
    it(name, () => {
      const r = results.find((x) => x.name === name)
      expect(r?.error).toBeUndefined()
      expect(r?.ok).toBe(true)
    })
})
