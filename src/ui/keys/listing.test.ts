import { describe, expect, it } from 'vitest'
import { checkListing, DEFAULT_LISTING } from './listing.ts'

describe('checkListing', () => {
  it('converts ether and percent into wei and basis points', () => {
    const c = checkListing({ ...DEFAULT_LISTING, price: '0.02', royaltyPct: '2.5', supply: '' })
    expect(c).toEqual({
      ok: true,
      errors: {},
      terms: { price: '20000000000000000', supply: 0, royaltyBps: 250, transferFee: '0' },
    })
  })

  it('names every bad field', () => {
    const c = checkListing({
      price: '0',
      supply: '-1',
      royaltyPct: '101',
      transferFee: 'abc',
      agent: 'delegate',
      delegate: '0x12',
    })
    expect(c.ok).toBe(false)
    expect(Object.keys(c.errors).sort()).toEqual(
      ['delegate', 'price', 'royaltyPct', 'supply', 'transferFee'].sort(),
    )
  })

  it('passes a delegate agent through', () => {
    const delegate = `0x${'ab'.repeat(20)}`
    const c = checkListing({ ...DEFAULT_LISTING, agent: 'delegate', delegate })
    expect(c.ok && c.terms.keyAgent).toBe(delegate)
  })
})
