/**
 * Slice store and publish pipeline checks (DESIGN §2, §4.1), portable: vitest runs them on the
 * memory backend + fake-indexeddb, the Chromium worker on real OPFS + IndexedDB.
 */
import type { Check } from '../crypto/_assert.ts'
import { publishChecks } from './_publish.checks.ts'
import { sliceChecks } from './_slice.checks.ts'
import type { StoreEnv } from './_store.fixtures.ts'

/** Every portable store check: the publish path's, then the slice store's. */
export function storeChecks(makeEnv: () => Promise<StoreEnv>): Check[] {
  return [...publishChecks(makeEnv), ...sliceChecks(makeEnv)]
}
