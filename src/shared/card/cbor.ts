/**
 * A strict, deterministic CBOR subset (RFC 8949 §4.2.1 "core deterministic encoding") for hash
 * cards: unsigned integers, byte strings, text strings, arrays, maps with text keys, `true`.
 * Integers use their shortest form, lengths are definite, map keys are sorted bytewise by
 * their encoding and unique. The decoder refuses anything else — floats, tags, negative
 * integers, indefinite lengths, non-shortest forms, unsorted or duplicate keys, invalid UTF-8,
 * trailing bytes — so one value has exactly one encoding and cardId = keccak256(bytes) is stable.
 */
import { CardCodecError } from '../errors/card.ts'

/** The values this subset carries. */
export type CborValue = bigint | number | Uint8Array | string | boolean | CborValue[] | CborMap
export type CborMap = { [key: string]: CborValue }

const MAX_DEPTH = 8
const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true })

function head(out: number[], major: number, n: number | bigint): void {
  const m = major << 5
  const v = BigInt(n)
  if (v < 24n) out.push(m | Number(v))
  else if (v < 0x100n) out.push(m | 24, Number(v))
  else if (v < 0x10000n) out.push(m | 25, Number(v >> 8n), Number(v & 0xffn))
  else if (v < 0x100000000n) {
    out.push(m | 26)
    for (let s = 24n; s >= 0n; s -= 8n) out.push(Number((v >> s) & 0xffn))
  } else if (v < 1n << 64n) {
    out.push(m | 27)
    for (let s = 56n; s >= 0n; s -= 8n) out.push(Number((v >> s) & 0xffn))
  } else throw new CardCodecError('An integer is too large for CBOR.', { details: String(v) })
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

function write(out: number[], value: CborValue): void {
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && (!Number.isSafeInteger(value) || value < 0))
      throw new CardCodecError('Only unsigned safe integers are encodable.', {
        details: String(value),
      })
    if (typeof value === 'bigint' && value < 0n)
      throw new CardCodecError('Only unsigned integers are encodable.', { details: String(value) })
    head(out, 0, value)
  } else if (value instanceof Uint8Array) {
    head(out, 2, value.length)
    for (const b of value) out.push(b)
  } else if (typeof value === 'string') {
    const b = enc.encode(value)
    head(out, 3, b.length)
    for (const x of b) out.push(x)
  } else if (value === true) out.push(0xf5)
  else if (Array.isArray(value)) {
    head(out, 4, value.length)
    for (const v of value) write(out, v)
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const key: number[] = []
        write(key, k)
        return { key: Uint8Array.from(key), v }
      })
      .sort((a, b) => compareBytes(a.key, b.key))
    head(out, 5, entries.length)
    for (const { key, v } of entries) {
      for (const b of key) out.push(b)
      write(out, v)
    }
  } else throw new CardCodecError('Unsupported value in a card.', { details: typeof value })
}

/** Encodes a value deterministically. Keys whose value is `undefined` are left out. */
export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = []
  write(out, value)
  return Uint8Array.from(out)
}

/**
 * Decodes exactly one value that fills `bytes`, refusing every non-deterministic form.
 * Integers above 2^53 − 1 come back as bigint. Throws {@link CardCodecError} only.
 */
export function decodeCbor(bytes: Uint8Array, maxBytes: number): CborValue {
  if (bytes.length > maxBytes)
    throw new CardCodecError('The card is too large.', {
      details: `${bytes.length} bytes, at most ${maxBytes}`,
    })
  let pos = 0
  const fail = (what: string): never => {
    throw new CardCodecError('The card is not valid CBOR.', { details: `${what} at byte ${pos}` })
  }
  const byte = (): number => {
    if (pos >= bytes.length) fail('unexpected end')
    return bytes[pos++] as number
  }
  const arg = (info: number): bigint => {
    if (info < 24) return BigInt(info)
    const len = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0
    if (len === 0) return fail(`unsupported additional info ${info}`)
    let v = 0n
    for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(byte())
    const min = len === 1 ? 24n : 1n << BigInt((len / 2) * 8)
    if (v < min) fail('non-shortest integer')
    return v
  }
  const length = (info: number): number => {
    const n = arg(info)
    if (n > BigInt(bytes.length - pos)) fail('length past the end')
    return Number(n)
  }
  const read = (depth: number): CborValue => {
    if (depth > MAX_DEPTH) fail('nesting too deep')
    const ib = byte()
    const major = ib >> 5
    const info = ib & 31
    switch (major) {
      case 0: {
        const v = arg(info)
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
      }
      case 2: {
        const n = length(info)
        pos += n
        return bytes.slice(pos - n, pos)
      }
      case 3: {
        const n = length(info)
        pos += n
        try {
          return dec.decode(bytes.subarray(pos - n, pos))
        } catch {
          return fail('invalid UTF-8')
        }
      }
      case 4: {
        const n = length(info)
        const arr: CborValue[] = []
        for (let i = 0; i < n; i++) arr.push(read(depth + 1))
        return arr
      }
      case 5: {
        const n = length(info)
        const map: CborMap = Object.create(null) as CborMap
        let prev: Uint8Array | null = null
        for (let i = 0; i < n; i++) {
          const start = pos
          if (bytes[pos] !== undefined && (bytes[pos] as number) >> 5 !== 3) fail('non-text key')
          const key = read(depth + 1) as string
          const raw = bytes.subarray(start, pos)
          if (prev && compareBytes(prev, raw) >= 0) fail('unsorted or duplicate key')
          prev = raw
          map[key] = read(depth + 1)
        }
        return map
      }
      case 7:
        if (info === 21) return true
        return fail(`unsupported simple value ${info}`)
      default:
        return fail(`unsupported major type ${major}`)
    }
  }
  const value = read(0)
  if (pos !== bytes.length) fail('trailing bytes')
  return value
}
