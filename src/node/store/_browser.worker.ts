/**
 * Runs the content core's checks inside a Chromium dedicated worker, on real WebCrypto, OPFS
 * (sync access handles, in an I/O worker as the app has them) and IndexedDB; driven by
 * browser.test.ts. The same bundle started under the name `opfs-io` is that I/O worker.
 */

import { type Check, runChecks } from '../crypto/_assert.ts'
import { contentChecks } from '../crypto/_content.checks.ts'
import { identityChecks } from '../crypto/_identity.checks.ts'
import { vectorChecks } from '../crypto/_vectors.checks.ts'
import { storeChecks } from './_store.checks.ts'
import type { StoreEnv } from './_store.fixtures.ts'
import { serveOpfsIo } from './ioServer.ts'
import { openMeta } from './meta.ts'
import { browserEstimate } from './quota.ts'
import { createSliceStore } from './sliceStore.ts'
import { WorkerFileBackend } from './workerBackend.ts'

const IO_NAME = 'opfs-io'
let io: Worker | null = null
let n = 0
async function opfsEnv(): Promise<StoreEnv> {
  const name = `check-${Date.now()}-${n++}`
  io ??= new Worker(location.href, { type: 'module', name: IO_NAME })
  const worker = io
  const files = WorkerFileBackend.connect(worker, name)
  return {
    store: createSliceStore({ files, meta: await openMeta(name) }),
    files,
    estimate: browserEstimate,
    reopen: async () =>
      createSliceStore({
        files: WorkerFileBackend.connect(worker, name),
        meta: await openMeta(name),
      }),
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
  name: string
  onmessage: ((e: MessageEvent) => void) | null
  postMessage(msg: unknown): void
}
if (scope.name === IO_NAME) serveOpfsIo(scope)
else
  scope.onmessage = () => {
    runChecks(browserChecks()).then(
      (value) => scope.postMessage({ type: 'result', value }),
      (err: unknown) => scope.postMessage({ type: 'error', error: String(err) }),
    )
  }
