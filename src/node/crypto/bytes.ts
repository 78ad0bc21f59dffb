/**
 * Byte helpers and argument checks shared by the content core. Checks name the argument and
 * the expected versus actual value (TypeError for a wrong type, RangeError for a wrong length),
 * as noble's `abytes` does.
 */
import { AbortedError } from '../../shared/errors/common.ts'

/** Throws a TypeError unless `value` is a Uint8Array; a RangeError unless its length fits. */
export function checkBytes(name: string, value: unknown, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new TypeError(`${name}: expected Uint8Array, got ${typeName(value)}`)
  if (length !== undefined && value.length !== length)
    throw new RangeError(`${name}: expected ${length} bytes, got ${value.length}`)
  return value
}

/** Throws unless `value` is a safe integer within [min, max]. */
export function checkInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new TypeError(`${name}: expected integer, got ${typeName(value)}`)
  if (value < min || value > max)
    throw new RangeError(`${name}: expected ${min}..${max}, got ${value}`)
  return value
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object'
  return typeof value
}

/** Writes `n` as 8 big-endian bytes into `out` at `offset`. */
export function writeU64be(out: Uint8Array, offset: number, n: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  view.setBigUint64(offset, BigInt(n), false)
}

/** Constant-time equality for two byte arrays of the same length. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/** Overwrites secret bytes with zeros (best effort: copies made by engines are out of reach). */
export function wipe(...arrays: (Uint8Array | undefined)[]): void {
  for (const a of arrays) a?.fill(0)
}

/** A copy backed by its own ArrayBuffer (WebCrypto and IndexedDB read the whole buffer). */
export function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.slice() as Uint8Array<ArrayBuffer>
}

/** The bytes as a BufferSource WebCrypto accepts under TypeScript 5.9's strict buffer types. */
export function bs(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>
}

/** Throws {@link AbortedError} if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw new AbortedError(`${what ?? 'The operation'} was cancelled.`)
}

/** Base64 (standard alphabet, padded) without Node's Buffer. */
export function toBase64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

/** Inverse of {@link toBase64}; throws a TypeError on characters outside the alphabet. */
export function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
    throw new TypeError('base64: malformed input')
  const s = atob(text)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}
