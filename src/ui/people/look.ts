/**
 * How a person looks without a profile, and the words around people: a short address, a
 * colour pair drawn from the address (the same everywhere, so a face is recognisable before it
 * has a name), and counts in words.
 */

/** `0x12ab…cdef` */
export function shortAddress(a: string): string {
  return a.length > 12 ? `${a.slice(0, 6)}…${a.slice(-4)}` : a
}

/**
 * A CSS gradient from the address's bytes: two hues apart, so two addresses that share a
 * first byte still differ.
 * @example identicon('0x12ab…') // 'linear-gradient(135deg, hsl(… 65% 55%), hsl(… 60% 40%))'
 */
export function identicon(address: string): string {
  const hex = address.replace(/^0x/i, '').toLowerCase().padEnd(40, '0')
  const n = (from: number, len: number) => Number.parseInt(hex.slice(from, from + len), 16) || 0
  const h1 = n(0, 4) % 360
  const h2 = (h1 + 60 + (n(4, 4) % 180)) % 360
  return `linear-gradient(135deg, hsl(${h1} 65% 55%), hsl(${h2} 60% 40%))`
}

/**
 * "1 follower", "2 followers", "0 followers".
 * @example countOf(1, 'follower') // '1 follower'
 */
export function countOf(n: number, word: string, plural = `${word}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? word : plural}`
}
