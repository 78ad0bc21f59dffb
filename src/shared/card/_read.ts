/**
 * The field readers the card decoders share (card.ts, profile.ts): each checks one field's
 * type and bounds and throws {@link CardCodecError} naming the field (`pf.n`, `ct.s`, …).
 */
import { CardCodecError } from '../errors/card.ts'
import type { CborMap, CborValue } from './cbor.ts'

/** A map being read and its path (`pv.`) for error messages. */
export type Reader = { map: CborMap; path: string }

/** Throws the card error for `field` (`details`: "field: problem"). */
export function invalid(field: string, problem: string): never {
  throw new CardCodecError(`The card's "${field}" is invalid.`, { details: `${field}: ${problem}` })
}

export function keysOnly(r: Reader, allowed: readonly string[]): void {
  for (const k of Object.keys(r.map))
    if (!allowed.includes(k)) invalid(`${r.path}${k}`, 'unknown field')
}
export function get(r: Reader, key: string, required: boolean): CborValue | undefined {
  const v = Object.hasOwn(r.map, key) ? r.map[key] : undefined
  if (v === undefined && required) invalid(`${r.path}${key}`, 'missing')
  return v
}
export function text(r: Reader, key: string, max: number, required = false): string | undefined {
  const v = get(r, key, required)
  if (v === undefined) return undefined
  if (typeof v !== 'string') return invalid(`${r.path}${key}`, 'expected text')
  if ([...v].length > max) invalid(`${r.path}${key}`, `longer than ${max} characters`)
  return v
}
export function uint(r: Reader, key: string, max: number, required = false): number | undefined {
  const v = get(r, key, required)
  if (v === undefined) return undefined
  if (typeof v !== 'number' || v > max) return invalid(`${r.path}${key}`, `expected 0…${max}`)
  return v
}
export function bytes(r: Reader, key: string, len: [number, number], required = false) {
  const v = get(r, key, required)
  if (v === undefined) return undefined
  if (!(v instanceof Uint8Array) || v.length < len[0] || v.length > len[1])
    return invalid(`${r.path}${key}`, `expected ${len[0]}…${len[1]} bytes`)
  return v
}
export function sub(r: Reader, key: string, required = false): Reader | undefined {
  const v = get(r, key, required)
  if (v === undefined) return undefined
  if (typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v))
    return invalid(`${r.path}${key}`, 'expected a map')
  return { map: v as CborMap, path: `${r.path}${key}.` }
}
