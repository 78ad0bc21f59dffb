/**
 * How the UI writes amounts, sizes and durations. Wei crosses the RPC as decimal strings
 * (src/shared/protocol/methods/pay.ts). People read ether with sensible precision
 * ({@link formatEth}: a few decimals, never a non-zero amount shown as 0); forms keep every
 * digit ({@link ethOf}), because what a person typed must come back unchanged.
 */
import { formatEther, parseEther } from 'viem'
import { InvalidInputError } from '../../shared/errors/common.ts'

/**
 * A decimal wei string as a bigint; InvalidInputError for anything else (a sign, a dot, hex).
 * @example weiOf('1000000000000000000') // 10n ** 18n
 */
export function weiOf(value: string | bigint): bigint {
  if (typeof value === 'bigint') return value
  if (!/^\d{1,78}$/.test(value))
    throw new InvalidInputError('An amount in wei must be a whole decimal number.', {
      details: `got ${JSON.stringify(value.slice(0, 90))}`,
    })
  return BigInt(value)
}

/**
 * Wei as ether, exactly: trailing zeros dropped, no rounding, no grouping.
 * @example ethOf('1500000000000000001') // '1.500000000000000001'
 */
export function ethOf(wei: string | bigint): string {
  return formatEther(weiOf(wei))
}

const WEI_PER_ETH = 10n ** 18n

/**
 * Decimals shown for an amount of `abs` wei: 4 from 1 ETH up, 6 below, and below that as many
 * as two significant digits need (at most 18, so 1 wei still shows).
 */
function decimalsFor(abs: bigint): number {
  if (abs >= WEI_PER_ETH) return 4
  if (abs === 0n) return 0
  return Math.min(18, Math.max(6, 18 - abs.toString().length + 2))
}

/**
 * `1234567` → `1,234,567`. Not `toLocaleString`: its first call loads the locale's number
 * format, ~60 ms on a loaded phone-class CPU in the first render of the feed (issue #18).
 */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+$)/g, ',')
}

/**
 * Wei as ether for people: rounded half up to {@link decimalsFor} decimals, trailing zeros
 * dropped, the whole part grouped by thousands. A non-zero amount never reads as 0.
 * @example formatEth('9999998765432109876543') // '9,999.9988'
 * @example formatEth('1234567890123') // '0.0000012'
 */
export function formatEth(value: string | bigint): string {
  const wei = weiOf(value)
  const abs = wei < 0n ? -wei : wei
  const decimals = decimalsFor(abs)
  const unit = 10n ** BigInt(18 - decimals)
  const scaled = (abs + unit / 2n) / unit
  const scale = 10n ** BigInt(decimals)
  const whole = groupThousands((scaled / scale).toString())
  const fraction = (scaled % scale).toString().padStart(decimals, '0').replace(/0+$/, '')
  const sign = wei < 0n && scaled > 0n ? '-' : ''
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`
}

/**
 * {@link formatEth} with the unit: how every amount reads in the UI.
 * @example ethText('20000000000000000') // '0.02 ETH'
 */
export function ethText(wei: string | bigint): string {
  return `${formatEth(wei)} ETH`
}

export type EthParse = { ok: true; wei: bigint } | { ok: false; error: string }

/**
 * What a person typed as an amount of ether, converted to wei exactly (viem's parseEther).
 * More than 18 decimals is refused rather than rounded; a comma gets its own hint.
 * @example parseEth('0.01') // { ok: true, wei: 10_000_000_000_000_000n }
 */
export function parseEth(text: string): EthParse {
  const v = text.trim()
  if (v === '') return { ok: false, error: 'Enter an amount in ETH, e.g. 0.01.' }
  if (/^\d*,\d*$/.test(v)) return { ok: false, error: 'Use a dot for decimals, e.g. 0.01.' }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(v)
  const whole = m?.[1] ?? ''
  const fraction = m?.[2] ?? ''
  if (!m || (whole === '' && fraction === ''))
    return { ok: false, error: 'Enter an amount in ETH, e.g. 0.01.' }
  if (fraction.length > 18) return { ok: false, error: 'ETH has at most 18 decimals.' }
  if (whole.length > 30) return { ok: false, error: 'That amount is too large.' }
  return { ok: true, wei: parseEther(`${whole || '0'}.${fraction || '0'}`) }
}

/**
 * A byte count in decimal units, one decimal from kB up.
 * @example bytesText(1_572_864) // '1.6 MB'
 */
export function bytesText(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`
  return `${Math.max(0, Math.round(bytes))} B`
}

/**
 * Seconds as a countdown: days when there are some, then hours, minutes, seconds.
 * @example durationText(90_061) // '1d 01h 01m 01s'
 */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds))
  const d = Math.floor(s / 86_400)
  const two = (n: number) => String(n).padStart(2, '0')
  const hms = `${two(Math.floor((s % 86_400) / 3600))}h ${two(Math.floor((s % 3600) / 60))}m ${two(s % 60)}s`
  return d > 0 ? `${d}d ${hms}` : hms
}

/** An address or id shortened for a table cell (the full value goes in a `title`). */
export function shortHex(hex: string, head = 8, tail = 4): string {
  return hex.length <= head + tail + 1 ? hex : `${hex.slice(0, head)}…${hex.slice(-tail)}`
}

const SPAN_UNITS = [
  [86_400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
] as const

/**
 * A length of time in words, to the two largest units.
 * @example spanText(86_400) // '1 day'; spanText(5_400) // '1 hour 30 minutes'
 */
export function spanText(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds))
  const parts: string[] = []
  for (const [size, unit] of SPAN_UNITS) {
    const n = Math.floor(rest / size)
    rest -= n * size
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`)
    else if (parts.length > 0) break
    if (parts.length === 2) break
  }
  return parts.join(' ') || '0 seconds'
}
