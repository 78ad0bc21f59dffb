/**
 * A strict bencode decoder (BEP 3) for bytes from peers: .torrent files and the info
 * dictionaries ut_metadata (BEP 9) assembles. It accepts exactly the canonical form that
 * bencode.ts writes — integers without leading zeros or `-0`, string lengths without leading
 * zeros, dictionary keys in strictly ascending byte order — within a size and depth limit, so
 * a decoded value re-encodes to the same bytes (and the same infoHash). Anything else throws
 * {@link TorrentMetadataError}, never a TypeError or RangeError.
 */
import { TorrentMetadataError } from '../../shared/errors/swarm.ts'

/**
 * A decoded value. Byte strings stay bytes; a dictionary is a null-prototype object whose keys
 * are the raw key bytes as Latin-1 (one char per byte, so distinct keys stay distinct).
 */
export type BDecoded = number | Uint8Array | BDecoded[] | BDict
export type BDict = { [key: string]: BDecoded }

export type BDecodeOptions = { maxBytes: number; maxDepth?: number }

const COLON = 0x3a
const E = 0x65
const MINUS = 0x2d
const ZERO = 0x30

const isDigit = (b: number | undefined) => b !== undefined && b >= ZERO && b <= ZERO + 9

/**
 * Decodes exactly one value filling `bytes`.
 * @example decodeBencode(bytes, { maxBytes: 1 << 20 }) // { announce: Uint8Array, info: {...} }
 */
export function decodeBencode(bytes: Uint8Array, o: BDecodeOptions): BDecoded {
  if (!(bytes instanceof Uint8Array))
    throw new TorrentMetadataError('Torrent metadata must be bytes.')
  if (bytes.length > o.maxBytes)
    throw new TorrentMetadataError('The torrent metadata is too large.', {
      details: `${bytes.length} bytes, at most ${o.maxBytes}`,
    })
  const maxDepth = o.maxDepth ?? 16
  let pos = 0
  const fail = (what: string): never => {
    throw new TorrentMetadataError('The torrent metadata is not valid bencode.', {
      details: `${what} at byte ${pos}`,
    })
  }
  /** Digits up to `end` as a safe integer, no leading zero (but "0" itself). */
  const digits = (end: number): number => {
    const start = pos
    while (isDigit(bytes[pos])) pos++
    if (pos === start) fail('expected a digit')
    if (bytes[pos] !== end) fail(`expected "${String.fromCharCode(end)}"`)
    if (bytes[start] === ZERO && pos - start > 1) fail('a leading zero')
    if (pos - start > 16) fail('an integer past 2^53')
    let n = 0
    for (let i = start; i < pos; i++) n = n * 10 + ((bytes[i] as number) - ZERO)
    if (!Number.isSafeInteger(n)) fail('an integer past 2^53')
    pos++ // the terminator
    return n
  }
  const string = (): Uint8Array => {
    const n = digits(COLON)
    if (n > bytes.length - pos) fail('a string past the end')
    pos += n
    return bytes.subarray(pos - n, pos)
  }
  const read = (depth: number): BDecoded => {
    if (depth > maxDepth) fail('nesting too deep')
    const b = bytes[pos]
    if (b === undefined) return fail('unexpected end')
    if (b === 0x69 /* i */) {
      pos++
      const negative = bytes[pos] === MINUS
      if (negative) pos++
      const n = digits(E)
      if (negative && n === 0) fail('"-0"')
      return negative ? -n : n
    }
    if (b === 0x6c /* l */) {
      pos++
      const list: BDecoded[] = []
      while (bytes[pos] !== E) list.push(read(depth + 1))
      pos++
      return list
    }
    if (b === 0x64 /* d */) {
      pos++
      const dict = Object.create(null) as BDict
      let prev: Uint8Array | null = null
      while (bytes[pos] !== E) {
        if (pos >= bytes.length) fail('unexpected end')
        const key = string()
        if (prev && compareBytes(prev, key) >= 0) fail('keys out of order or repeated')
        prev = key
        dict[latin1(key)] = read(depth + 1)
      }
      pos++
      return dict
    }
    if (isDigit(b)) return string().slice()
    return fail(`unexpected byte 0x${b.toString(16)}`)
  }
  const value = read(0)
  if (pos !== bytes.length) fail('bytes after the value')
  return value
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

/** One char per byte. */
export function latin1(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += String.fromCharCode(x)
  return s
}

/** Whether `v` is a decoded dictionary. */
export function isDict(v: BDecoded | undefined): v is BDict {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v)
}
