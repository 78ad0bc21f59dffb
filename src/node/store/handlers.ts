/**
 * RPC handlers of the store section of the RPC table (`src/shared/protocol/methods/`) that need no key: usage, items,
 * removal. Reading plaintext and publishing need access to keys and live with content
 * (src/node/content/handlers.ts).
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { countBits } from './bitfield.ts'
import type { StorageEstimateFn } from './quota.ts'
import type { SliceStore } from './types.ts'

/** Served by content (src/node/content/handlers.ts): they read or write plaintext. */
export type StoreContentMethod = 'store.read' | 'store.publishFile'
type StoreMethod = Exclude<Extract<keyof RpcMethods, `store.${string}`>, StoreContentMethod>
type Handler<M extends StoreMethod> = (
  params: RpcParams<M>,
  ctx: { signal: AbortSignal },
) => Promise<RpcResult<M>>
export type StoreHandlers = { [M in StoreMethod]: Handler<M> }

export type StoreHandlerDeps = {
  store: () => Promise<SliceStore>
  estimate: StorageEstimateFn
  persist: () => Promise<{ persisted: boolean }>
  persisted: () => Promise<boolean>
}

export function createStoreHandlers(deps: StoreHandlerDeps): StoreHandlers {
  return {
    'store.estimate': async () => {
      const [{ usage, quota }, store, persisted] = await Promise.all([
        deps.estimate(),
        deps.store(),
        deps.persisted(),
      ])
      return { usage, quota, storeBytes: await store.bytesUsed(), persisted }
    },
    'store.persist': () => deps.persist(),
    'store.items': async () => {
      const store = await deps.store()
      const items = await store.items()
      return Promise.all(
        items.map(async (it) => ({
          id: it.id,
          name: it.name,
          mime: it.mime,
          size: it.size,
          count: it.count,
          present: countBits(await store.bitfield(it.id), it.count),
          state: it.state,
          contentRoot: it.contentRoot ? bytesToHex(it.contentRoot) : null,
        })),
      )
    },
    'store.remove': async (p) => {
      await (await deps.store()).remove(p.id)
      return undefined
    },
  }
}
