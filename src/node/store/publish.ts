/**
 * The publish pipeline (DESIGN §2, §4.1): File/Blob/ReadableStream → plaintext slices of S−16
 * bytes → AES-256-GCM (content.ts) → SHA-256 per ciphertext slice → one file in the store →
 * Merkle root (merkle.ts). Stages overlap: slices are read ahead while up to `concurrency`
 * earlier ones are being encrypted and hashed (WebCrypto works off the calling thread) and
 * written in order as they complete, into a file preallocated to its final size; every
 * `commitEvery` slices the store flushes, then marks them verified in one metadata
 * transaction that runs while the next slices are written.
 *
 * In the app the writes and flushes run in an I/O worker (opfsIo.ts): each ciphertext slice
 * is transferred there, not copied, and this thread goes straight back to dispatching
 * WebCrypto calls. With the sync-handle calls in this thread instead, every write and flush
 * blocked it and the stages ran nearly one after another (bench/crypto.ts measures both).
 *
 * Memory stays bounded by the window (≈ 2·concurrency·S) plus the I/O worker's queue (at most
 * 16 MiB, workerBackend.ts), never the file. A cancelled publish, and one the browser's quota
 * stops (QuotaExceededError, however far it got), removes its item and file; a failure of
 * another kind (an I/O error, a killed tab) keeps the slices already committed, and `resumeId`
 * continues from them with the same input.
 */
import { AbortedError } from '../../shared/errors/common.ts'
import { ItemNotFoundError } from '../../shared/errors/store.ts'
import { throwIfAborted } from '../crypto/bytes.ts'
import { encryptSlice, randomSalt, type SliceCipher, sliceHash } from '../crypto/content.ts'
import { DEFAULT_SLICE_SIZE, layout } from '../crypto/layout.ts'
import { merkleRoot } from '../crypto/merkle.ts'
import { mapOrdered, type SliceSource, slices } from '../crypto/slicer.ts'
import { getBit } from './bitfield.ts'
import {
  type EnsureRoom,
  ensureRoom,
  isQuotaError,
  quotaError,
  type StorageEstimateFn,
} from './quota.ts'
import type { SliceStore } from './types.ts'

/** Bytes between commit points (flush, then one metadata transaction) by default. */
export const DEFAULT_COMMIT_BYTES = 16 * 1024 * 1024
/** Slices in the encrypt/hash window by default (≈ 2·8·S of memory). */
export const DEFAULT_CONCURRENCY = 8

export type PublishParams = {
  input: SliceSource
  /** Plaintext size; required for a ReadableStream (it sizes the quota check and the layout). */
  size?: number
  /** The AEAD context of the new item's salt: the creator's (access or `creatorCipher`). */
  cipherOf: (contentSalt: Uint8Array) => Promise<SliceCipher>
  sliceSize?: number
  name?: string
  mime?: string
  /** Continue an interrupted publish of the same input. */
  resumeId?: string
}

export type PublishProgress = { done: number; total: number; slices: number; count: number }

export type PublishOptions = {
  signal?: AbortSignal
  onProgress?: (p: PublishProgress) => void
  /** Slices encrypted and hashed at once, or done and waiting to be written (default 8). */
  concurrency?: number
  /**
   * Slices per flush + metadata transaction (default: 16 MiB worth, 64 slices at S = 256 KiB).
   * A crash loses at most this much work; fewer commits spend less time in flush and IndexedDB.
   */
  commitEvery?: number
}

export type PublishResult = {
  id: string
  size: number
  sliceSize: number
  count: number
  cipherSize: number
  contentSalt: Uint8Array
  contentRoot: Uint8Array
}

export type PublishComponents = {
  store: SliceStore
  estimate: StorageEstimateFn
  /** Room within the personal node's storage budget (src/node/seed/); unchecked without. */
  budget?: EnsureRoom
}

/**
 * Encrypts, hashes and stores one file. Throws QuotaExceededError (or StorageBudgetError)
 * before any work when it cannot fit, QuotaExceededError (after removing everything) when the
 * browser runs out of room on the way, AbortedError (after removing everything) when cancelled.
 * @example const r = await publishFile({ store, estimate }, { input: file, cipherOf: creatorCipher(contentMaster) }, { signal })
 */
export async function publishFile(
  { store, estimate, budget }: PublishComponents,
  params: PublishParams,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const { signal, onProgress } = options
  const size = params.size ?? (params.input instanceof Blob ? params.input.size : undefined)
  if (size === undefined) throw new TypeError('size: required when input is a ReadableStream')
  if (params.input instanceof Blob && params.input.size !== size)
    throw new RangeError(`size: expected ${params.input.size} (the Blob's size), got ${size}`)
  throwIfAborted(signal, 'The publish')

  let item = params.resumeId ? await store.item(params.resumeId) : null
  if (params.resumeId && !item) throw new ItemNotFoundError(`No stored item ${params.resumeId}.`)
  const l = layout(size, item?.sliceSize ?? params.sliceSize ?? DEFAULT_SLICE_SIZE)
  if (item && item.size !== size)
    throw new RangeError(`size: the interrupted publish had ${item.size} bytes, got ${size}`)
  // The cipher first: without a key (no identity) nothing is created.
  const contentSalt = item?.contentSalt ?? randomSalt()
  const cipher = await params.cipherOf(contentSalt)
  if (!item) {
    await ensureRoom(estimate, l.cipherSize)
    // The budget after the quota: eviction is for the budget, the quota is the browser's.
    const room = await budget?.(l.cipherSize, { signal })
    try {
      item = await store.createItem({
        size,
        sliceSize: l.sliceSize,
        contentSalt,
        state: 'publishing',
        name: params.name,
        mime: params.mime,
      })
    } catch (err) {
      throw isQuotaError(err) ? quotaError(err, 'The publish') : err
    } finally {
      room?.release()
    }
  }
  const id = item.id
  const present = await store.bitfield(id)
  const hashes = await store.hashes(id)
  let writer: Awaited<ReturnType<SliceStore['writer']>>
  try {
    // Preallocates the whole file: the first place a full quota shows.
    writer = await store.writer(id)
  } catch (err) {
    if (!isQuotaError(err)) throw err
    await store.remove(id)
    throw quotaError(err, 'The publish')
  }
  const commitEvery =
    options.commitEvery ?? Math.max(1, Math.floor(DEFAULT_COMMIT_BYTES / l.sliceSize))
  let done = 0
  let pending = 0
  // The latest commit: its metadata transaction runs while the next slices are written.
  let committing: Promise<void> = Promise.resolve()
  try {
    const sealed = mapOrdered(
      slices(params.input, l.plainSliceSize, signal),
      options.concurrency ?? DEFAULT_CONCURRENCY,
      async (s) => {
        if (getBit(present, s.index))
          return { index: s.index, plain: s.bytes.length, ct: null, hash: null }
        const ct = await encryptSlice(cipher, s.index, s.last, s.bytes)
        return { index: s.index, plain: s.bytes.length, ct, hash: await sliceHash(ct) }
      },
    )
    let seen = 0
    for await (const { index, plain, ct, hash } of sealed) {
      throwIfAborted(signal, 'The publish')
      if (index >= l.count)
        throw new RangeError(`size: the input is longer than the ${size} bytes announced`)
      if (ct && hash) {
        // `ct` is ours alone: it moves to the I/O worker as it is (workerBackend.ts).
        await writer.write(index, ct, hash, { transfer: true })
        hashes.set(hash, 32 * index)
        if (++pending >= commitEvery) {
          await committing // at most one metadata transaction behind the writes
          committing = writer.commit()
          committing.catch(() => {}) // observed at the next commit or the end
          pending = 0
        }
      }
      seen++
      done += plain
      onProgress?.({ done, total: size, slices: seen, count: l.count })
    }
    if (seen !== l.count || done !== size)
      throw new RangeError(`size: expected ${size} bytes of input, got ${done}`)
    await committing
    await writer.commit()
    const contentRoot = merkleRoot(hashes)
    await store.setState(id, 'complete', contentRoot)
    return {
      id,
      size,
      sliceSize: l.sliceSize,
      count: l.count,
      cipherSize: l.cipherSize,
      contentSalt: item.contentSalt,
      contentRoot,
    }
  } catch (err) {
    const full = isQuotaError(err)
    if (full || err instanceof AbortedError || signal?.aborted || err instanceof RangeError) {
      await writer.close().catch(() => {})
      await store.remove(id)
      if (full) throw quotaError(err, 'The publish')
      if (signal?.aborted && !(err instanceof AbortedError))
        throw new AbortedError('The publish was cancelled.')
    } else {
      // Keep what was committed: `resumeId` continues from it.
      await writer.close().catch(() => {})
    }
    throw err
  }
}
