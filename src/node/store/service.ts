/**
 * The store service (DESIGN §1 `store/`): the slice store — ciphertext in OPFS through the I/O
 * worker, metadata in IndexedDB — opened on first use, and the `store.*` handlers that need
 * no key. It knows no keys: reading plaintext and publishing are content's.
 */

import { logger } from '../log.ts'
import type { Registrar } from '../rpc/server.ts'
import { createStoreHandlers, type StoreHandlers } from './handlers.ts'
import { openMeta } from './meta.ts'
import { type OpfsIo, startOpfsIo } from './opfsIo.ts'
import { browserEstimate, persistStorage } from './quota.ts'
import { createSliceStore } from './sliceStore.ts'
import type { SliceStore } from './types.ts'

const log = logger('store')

/** Factory in the libp2p style: `storeService()(components)`; registers its `store.*`. */
export function storeService() {
  return (c: { rpc?: Registrar } = {}) => {
    const store = new StoreService()
    c.rpc?.register(store.handlers())
    return store
  }
}

export class StoreService {
  private opened: Promise<SliceStore> | null = null
  private io: OpfsIo | null = null

  async start(): Promise<void> {}

  /** Ends the I/O worker; the store opens again on next use. */
  async stop(): Promise<void> {
    this.io?.stop()
    this.io = null
    this.opened = null
  }

  /**
   * The slice store, opened on first use. Opening sweeps, in the background, the files a crash
   * left behind a removal (sliceStore.ts, Removal).
   */
  slices(): Promise<SliceStore> {
    this.opened ??= (async () => {
      this.io ??= startOpfsIo()
      const store = createSliceStore({ files: await this.io.files(), meta: await openMeta() })
      void store
        .sweep()
        .catch((err: Error) => log.warn('sweeping orphan files failed: %s', err.message))
      return store
    })()
    return this.opened
  }

  handlers(): StoreHandlers {
    return createStoreHandlers({
      store: () => this.slices(),
      estimate: browserEstimate,
      persist: persistStorage,
      persisted: () => navigator.storage.persisted(),
    })
  }
}
