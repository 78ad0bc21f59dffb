/**
 * RPC handlers of the store section of the RPC table (`src/shared/protocol/methods/`); the node
 * worker's main wires `storeHandlers` in. The store opens lazily (OPFS + IndexedDB) on first use.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { ItemNotFoundError } from '../../shared/errors/store.ts'
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { wipe } from '../crypto/bytes.ts'
import { deriveContentKey, sliceCipher } from '../crypto/content.ts'
import { identityService } from '../crypto/handlers.ts'
import type { IdentityService } from '../crypto/identityService.ts'
import { countBits } from './bitfield.ts'
import { openMeta } from './meta.ts'
import { opfsFiles } from './opfsIo.ts'
import { publishFile } from './publish.ts'
import { browserEstimate, persistStorage, type StorageEstimateFn } from './quota.ts'
import { readRangeBytes } from './readRange.ts'
import { createSliceStore, type SliceStore } from './sliceStore.ts'

type StoreMethod = Extract<keyof RpcMethods, `store.${string}`>
type Handler<M extends StoreMethod> = (
  params: RpcParams<M>,
  ctx: { signal: AbortSignal },
) => Promise<RpcResult<M>>
export type StoreHandlers = { [M in StoreMethod]: Handler<M> }

/** Largest range `store.read` returns in one reply (bigger reads stream through the SW). */
export const MAX_READ_BYTES = 16 * 1024 * 1024

export type StoreHandlerDeps = {
  store: () => Promise<SliceStore>
  identity: IdentityService
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
    'store.publishFile': async (p, { signal }) => {
      const id = await deps.identity.require({ signal })
      const r = await publishFile(
        { store: await deps.store(), estimate: deps.estimate },
        {
          input: p.file,
          contentMaster: id.contentMaster,
          name: p.name ?? (p.file instanceof File ? p.file.name : undefined),
          mime: p.mime ?? (p.file.type || undefined),
          ...(p.sliceSize ? { sliceSize: p.sliceSize } : {}),
          ...(p.resumeId ? { resumeId: p.resumeId } : {}),
        },
        { signal },
      )
      return {
        ...r,
        contentSalt: bytesToHex(r.contentSalt),
        contentRoot: bytesToHex(r.contentRoot),
      }
    },
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
    'store.read': async (p, { signal }) => {
      if (p.end - p.start > MAX_READ_BYTES)
        throw new RangeError(
          `end: expected at most ${MAX_READ_BYTES} bytes after start, got ${p.end - p.start}`,
        )
      const id = await deps.identity.require({ signal })
      const store = await deps.store()
      const item = await store.item(p.id)
      if (!item) throw new ItemNotFoundError(`No stored item ${p.id}.`)
      const key = deriveContentKey(id.contentMaster, item.contentSalt)
      const cipher = await sliceCipher(key, item.contentSalt)
      wipe(key)
      return readRangeBytes(store, p.id, cipher, p.start, p.end, { signal })
    },
    'store.remove': async (p) => {
      await (await deps.store()).remove(p.id)
      return undefined
    },
  }
}

let opened: Promise<SliceStore> | null = null
/** The worker's slice store (OPFS through its I/O worker + IndexedDB), opened on first use. */
export function defaultStore(): Promise<SliceStore> {
  opened ??= (async () => createSliceStore({ files: await opfsFiles(), meta: await openMeta() }))()
  return opened
}

export const storeHandlers: StoreHandlers = createStoreHandlers({
  store: defaultStore,
  identity: identityService,
  estimate: browserEstimate,
  persist: persistStorage,
  persisted: () => navigator.storage.persisted(),
})
