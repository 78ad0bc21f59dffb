/**
 * How a slice's bit and hash change in its {@link SliceRecord}. A slice is marked present only
 * with the hash of bytes already flushed, and the record's byte count follows its bits; the
 * store writes each new record in one IndexedDB transaction (sliceStore.ts `update`).
 */
import { checkInt } from '../crypto/bytes.ts'
import { cipherRange, layout } from '../crypto/layout.ts'
import { getBit, setBit } from './bitfield.ts'
import type { ItemMeta, SliceRecord } from './meta.ts'

/** A slice written and flushed: its index, its SHA-256 and its ciphertext length. */
export type WrittenSlice = { i: number; hash: Uint8Array; bytes: number }

/** Throws a RangeError unless `i` is a slice index of `item`. */
export function checkIndex(item: ItemMeta, i: number): void {
  checkInt('index', i, 0, item.count - 1)
}

/** The record with every slice of `done` present under its hash; a slice is counted once. */
export function markPresent(rec: SliceRecord, done: WrittenSlice[]): SliceRecord {
  const next = { ...rec, bitfield: rec.bitfield.slice(), hashes: rec.hashes.slice() }
  for (const { i, hash, bytes } of done) {
    if (!getBit(next.bitfield, i)) next.bytes += bytes
    setBit(next.bitfield, i, true)
    next.hashes.set(hash, 32 * i)
  }
  return next
}

/** The record with slice i missing (its hash kept), or null when it was not present. */
export function markAbsent(item: ItemMeta, rec: SliceRecord, i: number): SliceRecord | null {
  checkIndex(item, i)
  if (!getBit(rec.bitfield, i)) return null
  const next = { ...rec, bitfield: rec.bitfield.slice() }
  setBit(next.bitfield, i, false)
  next.bytes -= sliceBytes(item, i)
  return next
}

function sliceBytes(item: ItemMeta, i: number): number {
  const r = cipherRange(layout(item.size, item.sliceSize), i)
  return r.end - r.start
}
