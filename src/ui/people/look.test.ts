import { describe, expect, it } from 'vitest'
import { countOf, identicon, shortAddress } from './look.ts'

describe('people look', () => {
  it('shortens an address to 0x12ab…cdef', () => {
    expect(shortAddress(`0x12ab${'0'.repeat(32)}cdef`)).toBe('0x12ab…cdef')
    expect(shortAddress('0x12')).toBe('0x12')
  })

  it('gives an address the same colours every time, and another address others', () => {
    const a = `0x${'1a'.repeat(20)}`
    const b = `0x${'1b'.repeat(20)}`
    expect(identicon(a)).toBe(identicon(a.toUpperCase().replace('0X', '0x')))
    expect(identicon(a)).not.toBe(identicon(b))
    expect(identicon(a)).toMatch(
      /^linear-gradient\(135deg, hsl\(\d+ 65% 55%\), hsl\(\d+ 60% 40%\)\)$/,
    )
  })

  it('counts in words', () => {
    expect(countOf(0, 'follower')).toBe('0 followers')
    expect(countOf(1, 'follower')).toBe('1 follower')
    expect(countOf(2, 'follower')).toBe('2 followers')
    expect(countOf(1200, 'follower')).toBe('1,200 followers')
  })
})
