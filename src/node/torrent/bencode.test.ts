import { describe, expect, it } from 'vitest'
import { bencode } from './bencode.ts'

const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('bencode', () => {
  it('encodes the BEP 3 examples', () => {
    expect(text(bencode('spam'))).toBe('4:spam')
    expect(text(bencode(3))).toBe('i3e')
    expect(text(bencode(-3))).toBe('i-3e')
    expect(text(bencode(['spam', 'eggs']))).toBe('l4:spam4:eggse')
    expect(text(bencode({ spam: 'eggs', cow: 'moo' }))).toBe('d3:cow3:moo4:spam4:eggse')
  })
  it('refuses non-integers', () => {
    expect(() => bencode(1.5)).toThrow(RangeError)
  })
})
