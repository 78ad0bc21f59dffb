/**
 * Reading plaintext back (DESIGN §4.3): a byte range maps to slices (layout.ts); each slice is
 * read, hash-checked by the store, decrypted and authenticated, and trimmed to the range.
 */
import { concatBytes } from '@noble/hashes/utils.js'
import { ItemNotFoundError } from '../../shared/errors/store.ts'
import { throwIfAborted } from '../crypto/bytes.ts'
import { decryptSlice, type SliceCipher } from '../crypto/content.ts'
import { layout, plainRange, slicesForRange } from '../crypto/layout.ts'
import type { SliceStore } from './sliceStore.ts'

/**
 * Yields the plaintext bytes [start, end) of a stored item, one piece per slice.
 * @example for await (const part of readRange(store, id, cipher, 0, 1024)) …
 */
export async function* readRange(
  store: SliceStore,
  id: string,
  cipher: SliceCipher,
  start: number,
  end: number,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<Uint8Array> {
  const item = await store.item(id)
  if (!item) throw new ItemNotFoundError(`No stored item ${id}.`)
  const l = layout(item.size, item.sliceSize)
  const span = slicesForRange(l, start, end)
  if (!span) return
  for (let i = span.first; i <= span.last; i++) {
    throwIfAborted(options.signal, 'Reading the content')
    const ct = await store.getSlice(id, i, options)
    const pt = await decryptSlice(cipher, i, i === l.count - 1, ct)
    const r = plainRange(l, i)
    yield pt.subarray(Math.max(0, start - r.start), Math.min(pt.length, end - r.start))
  }
}

/** Collects a whole range into one array (for small ranges and tests). */
export async function readRangeBytes(
  store: SliceStore,
  id: string,
  cipher: SliceCipher,
  start: number,
  end: number,
  options: { signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const p of readRange(store, id, cipher, start, end, options)) parts.push(p)
  return concatBytes(...parts)
}
