/**
 * What the slice store checks share (_publish.checks.ts, _slice.checks.ts, _crash.checks.ts):
 * the environment a check runs in, deterministic bytes, and publishing and reading back under
 * one creator master.
 */
import { decryptWith } from '../content/decrypt.ts'
import { readPlaintext } from '../content/range.ts'
import { storeSource } from '../content/sources.ts'
import { assert } from '../crypto/_assert.ts'
import {
  creatorCipher,
  deriveContentKey,
  encryptSlice,
  randomSalt,
  type SliceCipher,
  sliceCipher,
} from '../crypto/content.ts'
import { type Layout, layout, MIN_SLICE_SIZE } from '../crypto/layout.ts'
import type { FileBackend } from './fileBackend.ts'
import { MemoryBackend } from './memoryBackend.ts'
import { openMeta } from './meta.ts'
import { publishFile } from './publish.ts'
import type { StorageEstimateFn } from './quota.ts'
import { createSliceStore } from './sliceStore.ts'
import type { SliceStore } from './types.ts'

export const S = MIN_SLICE_SIZE
export const P = S - 16
export const MASTER = new Uint8Array(32).fill(9)
export const ROOMY = async () => ({ usage: 0, quota: 2 ** 40 })

/** A fresh store over a fresh backend; `reopen` makes a second store on the same data. */
export type StoreEnv = {
  store: SliceStore
  files: FileBackend
  reopen(): Promise<SliceStore>
  /** Present for the memory backend only (fault injection). */
  memory?: MemoryBackend
  /** Flips one stored byte. */
  corrupt(id: string, at: number): Promise<void>
  /** The real `navigator.storage.estimate()` in the browser; absent in Node. */
  estimate?: StorageEstimateFn
}

export function data(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 131 + seed * 7 + (i >> 8)) & 0xff
  return out
}

export async function cipherOf(store: SliceStore, id: string) {
  const item = await store.item(id)
  assert(item, 'item exists')
  return sliceCipher(deriveContentKey(MASTER, item.contentSalt), item.contentSalt)
}

/** Plaintext [start, end) of a stored item, through the one range reader (content/range.ts). */
export async function readStored(
  store: SliceStore,
  id: string,
  cipher: SliceCipher,
  start: number,
  end: number,
): Promise<Uint8Array> {
  return readPlaintext(await storeSource(store, id), decryptWith(cipher), { start, end })
}

export async function publish(store: SliceStore, bytes: Uint8Array<ArrayBuffer>, extra = {}) {
  return publishFile(
    { store, estimate: ROOMY },
    { input: new Blob([bytes]), cipherOf: creatorCipher(MASTER), sliceSize: S },
    { commitEvery: 2, ...extra },
  )
}

/**
 * A stored item's slices, read back, and a new empty item made to hold them again: same size,
 * salt and known hashes, so every put is checked against the original's hashes.
 */
export async function emptyCopy(store: SliceStore, id: string) {
  const item = await store.item(id)
  assert(item, 'item')
  const slices = await Promise.all(
    Array.from({ length: item.count }, (_, i) => store.getSlice(id, i)),
  )
  const copy = await store.createItem({
    size: item.size,
    sliceSize: S,
    contentSalt: item.contentSalt,
    hashes: await store.hashes(id),
  })
  return { item, slices, copy }
}

let stores = 0

/**
 * A fresh memory-backed store with an empty item of `size` plaintext bytes (slices of S), and
 * that item's slices encrypted under a random key but not stored: for tests that store them
 * the way a download does (content/range.test.ts, swarm/chunkStore.test.ts).
 */
export async function encryptedItem(size: number) {
  const store = createSliceStore({
    files: new MemoryBackend(),
    meta: await openMeta(`encrypted-item-${stores++}`),
  })
  const salt = randomSalt()
  const key = crypto.getRandomValues(new Uint8Array(32))
  const cipher = await sliceCipher(key, salt)
  const l = layout(size, S)
  const plain = new Uint8Array(size)
  for (let o = 0; o < size; o += 65536) crypto.getRandomValues(plain.subarray(o, o + 65536))
  const slices = await encryptAll(cipher, l, plain)
  const item = await store.createItem({ size, sliceSize: S, contentSalt: salt })
  return { store, cipher, l, plain, slices, id: item.id }
}

/** Every slice of `plain` sealed under `cipher`, slice i as layout `l` cuts it. */
export function encryptAll(cipher: SliceCipher, l: Layout, plain: Uint8Array) {
  return Promise.all(
    Array.from({ length: l.count }, (_, i) =>
      encryptSlice(
        cipher,
        i,
        i === l.count - 1,
        plain.subarray(i * l.plainSliceSize, (i + 1) * l.plainSliceSize),
      ),
    ),
  )
}
