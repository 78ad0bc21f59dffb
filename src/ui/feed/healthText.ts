/**
 * How a card's swarm health reads (DESIGN §4.7): "3 seeders · 1 complete · from 0.0001
 * ETH/slice". Seeders count this node too; the price is the cheapest any of them asks.
 */
import type { ItemHealthWire } from '../../shared/protocol/methods/availability.ts'
import { ethText } from '../pay/format.ts'

/**
 * The line shown under a card with content.
 * @example healthText({ seeders: 2, completeCopies: 1, cheapestPrice: '0', … }) // '2 seeders · 1 complete · free'
 */
export function healthText(h: ItemHealthWire | undefined): string {
  if (!h || h.seeders === 0) return 'No seeders seen'
  const parts = [`${h.seeders} ${h.seeders === 1 ? 'seeder' : 'seeders'}`]
  parts.push(`${h.completeCopies} complete`)
  if (h.cheapestPrice !== null)
    parts.push(h.cheapestPrice === '0' ? 'free' : `from ${ethText(h.cheapestPrice)}/slice`)
  if (h.local) parts.push('you seed it')
  return parts.join(' · ')
}
