/**
 * Runs the content core's checks inside a Chromium dedicated worker, on real WebCrypto, OPFS
 * (sync access handles) and IndexedDB; driven by browser.test.ts.
 */

import { type Check, runChecks } from '../crypto/_assert.ts'
import { contentChecks } from '../crypto/_content.checks.ts'
import { identityChecks } from '../crypto/_identity.checks.ts'
import { vectorChecks } from '../crypto/_vectors.checks.ts'
import { type StoreEnv, storeChecks } from './_store.checks.ts'
import { openMeta } from './meta.ts'
import { OpfsBackend } from './opfsBackend.ts'
import { browserEstimate } from './quota.ts'
import { createSliceStore } from './sliceStore.ts'

let n = 0
async function opfsEnv(): Promise<StoreEnv> {
  const name = `check-${Date.now()}-${n++}`
  const files = await OpfsBackend.create(name)
  return {
    store: createSliceStore({ files, meta: await openMeta(name) }),
    files,
    estimate: browserEstimate,
    reopen: async () =>
      createSliceStore({ files: await OpfsBackend.create(name), meta: await openMeta(name) }),
    corrupt: async (id, at) => {
      const w = await files.openWriter(id)
      const [b] = await w.read(at, 1)
      await w.write(new Uint8Array([(b ?? 0) ^ 0x01]), at)
      await w.close()
    },
  }
}

/** Every check the worker runs, in order (browser.test.ts lists the same names). */
export function browserChecks(): Check[] {
  return [...vectorChecks, ...contentChecks, ...identityChecks, ...storeChecks(opfsEnv)]
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent) => void) | null
  postMessage(msg: unknown): void
}
scope.onmessage = () => {
  runChecks(browserChecks()).then(
    (value) => scope.postMessage({ type: 'result', value }),
    (err: unknown) => scope.postMessage({ type: 'error', error: String(err) }),
  )
}
