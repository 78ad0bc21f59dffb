/**
 * Slice presence bitfields, BitTorrent order (BEP 3): slice i is bit 7 − (i mod 8) of byte
 * ⌊i / 8⌋, so the swarm can send them as they are.
 */

/** An empty bitfield for `count` slices. */
export function emptyBitfield(count: number): Uint8Array {
  return new Uint8Array(Math.ceil(count / 8))
}

export function getBit(field: Uint8Array, i: number): boolean {
  return ((field[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0
}

export function setBit(field: Uint8Array, i: number, on: boolean): void {
  const byte = i >> 3
  if (byte >= field.length) throw new RangeError(`index: expected < ${field.length * 8}, got ${i}`)
  if (on) field[byte] = field[byte]! | (0x80 >> (i & 7))
  else field[byte] = field[byte]! & ~(0x80 >> (i & 7))
}

/** How many of the first `count` slices are present. */
export function countBits(field: Uint8Array, count: number): number {
  let n = 0
  for (let i = 0; i < count; i++) if (getBit(field, i)) n++
  return n
}
