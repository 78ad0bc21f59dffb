/**
 * Slice layout of the encrypted store (DESIGN §2). Plaintext slice i covers bytes
 * [i·(S−16), min(size, (i+1)·(S−16))); its ciphertext is that plus a 16-byte GCM tag, so
 * every ciphertext slice but the last is exactly S bytes and slice i starts at i·S.
 *
 * An empty file is one empty last slice: a 16-byte ciphertext holding only the tag, so even
 * an empty item is authenticated (a missing file cannot pass for an empty one).
 */
import { checkInt } from './bytes.ts'

export const TAG_BYTES = 16
export const MIN_SLICE_SIZE = 64 * 1024
export const MAX_SLICE_SIZE = 4 * 1024 * 1024
export const DEFAULT_SLICE_SIZE = 256 * 1024
/** Largest plaintext size (2^53 − 1 keeps offsets exact in a JS number). */
export const MAX_CONTENT_SIZE = Number.MAX_SAFE_INTEGER

/** Throws unless S is a power of two from 64 KiB to 4 MiB. */
export function checkSliceSize(sliceSize: unknown): number {
  const s = checkInt('sliceSize', sliceSize, MIN_SLICE_SIZE, MAX_SLICE_SIZE)
  if ((s & (s - 1)) !== 0) throw new RangeError(`sliceSize: expected a power of two, got ${s}`)
  return s
}

/** The shape of one item: plaintext size, slice size S and the derived counts. */
export type Layout = {
  size: number
  sliceSize: number
  /** Plaintext bytes per full slice: S − 16. */
  plainSliceSize: number
  count: number
  cipherSize: number
}

/**
 * The layout of a plaintext of `size` bytes in slices of S.
 * @example layout(0, 262144) // { count: 1, cipherSize: 16, … }
 */
export function layout(size: number, sliceSize: number = DEFAULT_SLICE_SIZE): Layout {
  checkInt('size', size, 0, MAX_CONTENT_SIZE)
  checkSliceSize(sliceSize)
  const plainSliceSize = sliceSize - TAG_BYTES
  const count = Math.max(1, Math.ceil(size / plainSliceSize))
  return { size, sliceSize, plainSliceSize, count, cipherSize: size + count * TAG_BYTES }
}

/** Plaintext byte range [start, end) of slice i. */
export function plainRange(l: Layout, i: number): { start: number; end: number } {
  checkInt('index', i, 0, l.count - 1)
  const start = i * l.plainSliceSize
  return { start, end: Math.min(l.size, start + l.plainSliceSize) }
}

/** Ciphertext byte range [start, end) of slice i within the item's file. */
export function cipherRange(l: Layout, i: number): { start: number; end: number } {
  const { start, end } = plainRange(l, i)
  return { start: i * l.sliceSize, end: i * l.sliceSize + (end - start) + TAG_BYTES }
}

/**
 * The slices that hold plaintext bytes [start, end) (end exclusive, clamped to the size).
 * An empty range maps to no slices.
 * @example slicesForRange(l, 0, 1) // { first: 0, last: 0 }
 */
export function slicesForRange(
  l: Layout,
  start: number,
  end: number,
): { first: number; last: number } | null {
  checkInt('start', start, 0, MAX_CONTENT_SIZE)
  checkInt('end', end, 0, MAX_CONTENT_SIZE)
  const e = Math.min(end, l.size)
  if (start >= e) return null
  return {
    first: Math.floor(start / l.plainSliceSize),
    last: Math.floor((e - 1) / l.plainSliceSize),
  }
}
