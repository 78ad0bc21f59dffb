import { describe, expect, it } from 'vitest'
import type { ItemHealthWire } from '../../shared/protocol/methods/availability.ts'
import { healthText } from './healthText.ts'

const h = (over: Partial<ItemHealthWire>): ItemHealthWire => ({
  infoHash: `0x${'ab'.repeat(20)}`,
  seeders: 0,
  completeCopies: 0,
  cheapestPrice: null,
  local: false,
  updatedAt: 0,
  ...over,
})

describe('healthText', () => {
  it('reads seeders, complete copies and the cheapest price', () => {
    expect(healthText(undefined)).toBe('No seeders seen')
    expect(healthText(h({}))).toBe('No seeders seen')
    expect(healthText(h({ seeders: 3, completeCopies: 1, cheapestPrice: '100000000000000' }))).toBe(
      '3 seeders · 1 complete · from 0.0001 ETH/slice',
    )
    expect(healthText(h({ seeders: 1, completeCopies: 1, cheapestPrice: '0', local: true }))).toBe(
      '1 seeder · 1 complete · free · you seed it',
    )
  })
})
