/**
 * The subset of bencode (BEP 3) a torrent's info dictionary needs: integers, byte strings,
 * lists and dictionaries with keys in raw byte order.
 */
import { concatBytes } from '@noble/hashes/utils.js'

export type BValue = number | string | Uint8Array | BValue[] | { [key: string]: BValue }

const enc = new TextEncoder()

/**
 * Encodes `value`; dictionary keys are sorted as the spec requires, so equal input gives
 * equal bytes (and so an equal infoHash).
 * @example bencode({ a: 1 }) // "d1:ai1ee"
 */
export function bencode(value: BValue): Uint8Array {
  const parts: Uint8Array[] = []
  write(value, parts)
  return concatBytes(...parts)
}

function write(v: BValue, out: Uint8Array[]): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`bencode: expected an integer, got ${v}`)
    out.push(enc.encode(`i${v}e`))
  } else if (typeof v === 'string') {
    const b = enc.encode(v)
    out.push(enc.encode(`${b.length}:`), b)
  } else if (v instanceof Uint8Array) {
    out.push(enc.encode(`${v.length}:`), v)
  } else if (Array.isArray(v)) {
    out.push(enc.encode('l'))
    for (const x of v) write(x, out)
    out.push(enc.encode('e'))
  } else {
    out.push(enc.encode('d'))
    const keys = Object.keys(v).sort((a, b) => compareBytes(enc.encode(a), enc.encode(b)))
    for (const k of keys) {
      write(k, out)
      write(v[k] as BValue, out)
    }
    out.push(enc.encode('e'))
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++)
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}
