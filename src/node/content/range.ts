/**
 * The one plaintext range reader (DESIGN §4.3): a byte range maps to slices (layout.ts); each
 * slice is ensured by the source (read from the store, fetched from the swarm first when
 * missing), passed through the decrypt step and trimmed to the range. `/c/` (portServer.ts),
 * `store.read` and the tests all read through {@link plaintextRange}.
 */
import { concatBytes } from '@noble/hashes/utils.js'
import { throwIfAborted } from '../crypto/bytes.ts'
import { type Layout, plainRange, slicesForRange } from '../crypto/layout.ts'
import { mapOrdered } from '../crypto/slicer.ts'
import { READ_AHEAD } from './constants.ts'
import type { SliceTransform } from './decrypt.ts'

/** Where the ciphertext of one item comes from. */
export type SliceSource = {
  layout: Layout
  /** Ciphertext of slice i, stored and verified; fetched first when missing. */
  ensure(i: number, signal: AbortSignal): Promise<Uint8Array>
  /** The plaintext position being read, and where the read ends (the swarm's deadline window). */
  position?(plainByte: number, end: number): void
}

export type RangeOptions = {
  signal?: AbortSignal
  /** Slices fetched and decrypted ahead of the reader ({@link READ_AHEAD} unless given). */
  ahead?: number
}

/**
 * Yields the plaintext bytes [start, end) of an item (end clamped to its size), one part per
 * slice, in order. Up to `ahead` slices are ensured and decrypted at once, ahead of the one the
 * reader holds; a failing slice is reported when its turn comes. Before each part the source
 * hears the position of the first byte not yet handed out.
 * @example for await (const part of plaintextRange(src, decryptWith(cipher), { start: 0, end: 1024 }, { signal })) …
 */
export async function* plaintextRange(
  src: SliceSource,
  transform: SliceTransform,
  range: { start: number; end: number },
  o: RangeOptions,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const l = src.layout
  const { start, end } = range
  const signal = o.signal ?? new AbortController().signal
  const span = slicesForRange(l, start, end)
  if (!span) return
  const part = async (i: number) => {
    throwIfAborted(signal, 'Reading the content')
    const bytes = await src.ensure(i, signal)
    const pt = await transform({ index: i, last: i === l.count - 1, bytes })
    const r = plainRange(l, i)
    const from = Math.max(0, start - r.start)
    const to = Math.min(pt.length, end - r.start)
    return from === 0 && to === pt.length ? pt : pt.slice(from, to)
  }
  const parts = mapOrdered(indices(span.first, span.last), o.ahead ?? READ_AHEAD, part)
  try {
    for (let i = span.first; i <= span.last; i++) {
      src.position?.(Math.max(plainRange(l, i).start, start), end)
      const r = await parts.next()
      if (r.done) return
      yield r.value
    }
  } finally {
    await parts.return(undefined) // stops the read-ahead when the reader stops early
  }
}

async function* indices(first: number, last: number): AsyncGenerator<number> {
  for (let i = first; i <= last; i++) yield i
}

/**
 * Collects a range into one array (for `store.read`'s bounded reads and for tests).
 * @example await readPlaintext(await storeSource(store, id), decryptWith(cipher), { start: 0, end: 100 }, { signal })
 */
export async function readPlaintext(
  src: SliceSource,
  transform: SliceTransform,
  range: { start: number; end: number },
  o: RangeOptions = {},
): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const p of plaintextRange(src, transform, range, o)) parts.push(p)
  return concatBytes(...parts)
}
