import { describe, expect, it } from 'vitest'
import { priceLabel, timeAgo } from './format.ts'

describe('lens formats', () => {
  it('says how long ago, in the largest whole unit', () => {
    const now = 1_800_000_000_000
    expect(timeAgo(now - 10_000, now)).toBe('just now')
    expect(timeAgo(now + 60_000, now)).toBe('just now')
    expect(timeAgo(now - 60_000, now)).toBe('1 minute ago')
    expect(timeAgo(now - 7_200_000, now)).toBe('2 hours ago')
    expect(timeAgo(now - 86_400_000, now)).toBe('yesterday')
    expect(timeAgo(now - 15 * 86_400_000, now)).toBe('2 weeks ago')
    expect(timeAgo(now - 800 * 86_400_000, now)).toBe('2 years ago')
  })

  it('prices keys', () => {
    expect(priceLabel({ free: true })).toBe('Free')
    expect(
      priceLabel({
        price: 10n ** 16n,
        supply: 0,
        royaltyBps: 0,
        keyAgent: '0x0000000000000000000000000000000000000001',
      }),
    ).toBe('0.01 ETH')
  })
})
