/**
 * Short texts the lens layouts share: how long ago a card was posted, and a card's price.
 * (Who posted it is people/PersonLink.svelte.)
 */
import type { CardAccess } from '../../shared/card/card.ts'
import { formatEth } from '../pay/format.ts'

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

/** One formatter for every row: building one costs far more than using it (issue #18). */
let relative: Intl.RelativeTimeFormat | null = null

/**
 * How long ago `at` (ms) was, in the largest whole unit: "3 hours ago", "just now" under a
 * minute. A time in the future (a clock ahead of ours) reads as now.
 * @example timeAgo(Date.now() - 7_200_000) // '2 hours ago'
 */
export function timeAgo(at: number, now = Date.now()): string {
  const ms = Math.max(0, now - at)
  relative ??= new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
  const fmt = relative
  for (const [unit, size] of UNITS) if (ms >= size) return fmt.format(-Math.floor(ms / size), unit)
  return 'just now'
}

/** "Free", or the key's price in ETH (as the wallet writes amounts: pay/format.ts). */
export function priceLabel(access: CardAccess): string {
  return access.free ? 'Free' : `${formatEth(access.price)} ETH`
}
