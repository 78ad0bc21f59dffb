/**
 * webtorrent's chunk store (the abstract-chunk-store interface) over the slice store: piece i
 * *is* ciphertext slice i (piece length = S), so nothing is held in memory and a torrent
 * resumes from whatever the slice store verified before. webtorrent SHA-1-checks a piece
 * before `put`; `put` then authenticates it (AES-GCM, when this node has the key) before the
 * store writes it, so every stored slice passed both checks. Writes go through one batch writer
 * per item with group commits (groupCommit.ts); reads for peers share the slices read lately
 * (readCache.ts), which replaces webtorrent's own cache.
 */
import { logger } from '../log.ts'
import { isQuotaError, quotaError } from '../store/quota.ts'
import type { SliceStore } from '../store/types.ts'
import {
  type Cb,
  type ChunkStore,
  type ChunkStoreCtor,
  type GetRange,
  getArgs,
  rangeOf,
} from '../torrent/chunkStore.ts'
import { READ_CACHE } from './constants.ts'
import { groupWriter } from './groupCommit.ts'
import { readCache } from './readCache.ts'

const log = logger('swarm:store')

export type SliceChunkStoreInit = {
  store: SliceStore
  itemId: string
  /** Authenticates slice i before it is stored (AEAD); throws to refuse it. */
  verify?: (index: number, ciphertext: Uint8Array) => Promise<void>
  /**
   * Slice i passed every check (webtorrent's SHA-1, then `verify`), before it is written: a
   * payer pays for it here (hc_pay), not a group commit later.
   */
  onChecked?: (index: number) => void
  /** Called after slice i was stored and marked verified. */
  onStored?: (index: number) => void
  /**
   * Storing slice i failed for a reason other than authentication (I/O): the piece is
   * reported stored to webtorrent — which would otherwise destroy the whole torrent — and
   * this is called so the caller marks it missing again.
   */
  onPutFailed?: (index: number, err: Error) => void
  /**
   * Storing slice i failed because the origin's quota is full (QuotaExceededError): fetching
   * it again would fail the same way, so this is called instead of `onPutFailed`, and the
   * caller stops the download.
   */
  onQuotaExceeded?: (index: number, err: Error) => void
  /** Test hook (dev chains only): corrupt what this node serves to peers. */
  tamper?: () => boolean
  /** The slices read for peers, kept briefly (readCache.ts). */
  readCache?: { maxBytes: number; idleMs: number }
}

/**
 * Binds a chunk store class to one stored item.
 * @example client.add(torrentFile, { store: sliceChunkStore({ store, itemId }) })
 */
export function sliceChunkStore(init: SliceChunkStoreInit): ChunkStoreCtor {
  const { store, itemId, verify, onChecked, onStored, onPutFailed, onQuotaExceeded, tamper } = init
  const writer = groupWriter(store, itemId)
  const recent = readCache<Uint8Array>(init.readCache ?? READ_CACHE)
  // The item's file is opened before anything reads it (groupCommit.ts): reads then go
  // through its handle rather than a `getFile()` round trip each.
  writer.open().catch((err: Error) => log.warn('%s: opening the writer: %s', itemId, err.message))
  return class SliceChunkStore implements ChunkStore {
    readonly chunkLength: number
    private closed = false

    constructor(chunkLength: number) {
      this.chunkLength = chunkLength
    }

    put(index: number, buf: Uint8Array, cb: Cb = () => {}): void {
      if (this.closed) {
        queueMicrotask(() => cb(new Error('the chunk store is closed')))
        return
      }
      const t0 = performance.now()
      let stage = 'has'
      const slow = setTimeout(() => log.warn('put %d: %s pending after 10 s', index, stage), 10_000)
      void (async () => {
        if (await store.has(itemId, index)) return
        stage = 'verify'
        await verify?.(index, buf)
        onChecked?.(index)
        stage = 'write'
        try {
          await writer.put(index, buf)
        } catch (err) {
          const full = isQuotaError(err) && onQuotaExceeded
          if (full) {
            const typed = quotaError(err, 'Storing the download')
            queueMicrotask(() => full(index, typed))
            return
          }
          if (!onPutFailed) throw err
          queueMicrotask(() => onPutFailed(index, err as Error))
          return
        }
        log('put %d: %d ms', index, Math.round(performance.now() - t0))
        onStored?.(index)
      })()
        .finally(() => clearTimeout(slow))
        .then(
          () => cb(null),
          (err: Error) => cb(err),
        )
    }

    get(index: number, opts: GetRange | null | Cb<Uint8Array>, cb?: Cb<Uint8Array>): void {
      const { done, range } = getArgs(opts, cb)
      if (this.closed) {
        queueMicrotask(() => done(new Error('the chunk store is closed')))
        return
      }
      const read = async () => {
        const t0 = performance.now()
        const slice = await store.getSlice(itemId, index)
        log('read %d: %d ms', index, Math.round(performance.now() - t0))
        return slice
      }
      recent.get(index, read).then(
        (slice) => {
          let out = rangeOf(slice, range)
          if (tamper?.()) {
            out = out.slice()
            for (let i = 0; i < out.length; i += 997) out[i] = (out[i] as number) ^ 0xff
          }
          done(null, out)
        },
        (err: Error) => done(err),
      )
    }

    close(cb: Cb = () => {}): void {
      this.closed = true
      recent.clear()
      writer.close().then(
        () => cb(null),
        (err: Error) => cb(err),
      )
    }

    /** Leaves the slices in place: removing an item is the store's decision, not the swarm's. */
    destroy(cb: Cb = () => {}): void {
      this.close(cb)
    }
  }
}
