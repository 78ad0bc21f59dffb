/**
 * The optional fiat estimate beside ether amounts: the person sets a currency and a rate per
 * ETH (nothing is fetched: no price feed learns who looks at what), kept in this browser's
 * localStorage. Amounts are estimates, so floats are fine here; ether stays exact elsewhere.
 */
import { weiOf } from './format.ts'

/** A currency (ISO 4217 code) and what one ETH is worth in it. */
export type FiatRate = { currency: string; perEth: number }

export type FiatParse = { ok: true; rate: FiatRate } | { ok: false; error: string }

/** The localStorage key of the setting. */
export const FIAT_KEY = 'hashcard.fiat'
/** The largest rate accepted (per ETH). */
export const MAX_RATE = 1e9

/** Whether `Intl` knows `code` as a currency. */
function knownCurrency(code: string): boolean {
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code })
    return true
  } catch {
    return false
  }
}

/**
 * Checks what the person typed: a three-letter currency code and a positive rate.
 * @example parseFiat('eur', '2500') // { ok: true, rate: { currency: 'EUR', perEth: 2500 } }
 */
export function parseFiat(code: string, rate: string): FiatParse {
  const currency = code.trim().toUpperCase()
  if (!/^[A-Z]{3}$/.test(currency) || !knownCurrency(currency))
    return { ok: false, error: 'Use a three-letter currency code, e.g. EUR or USD.' }
  const r = rate.trim()
  if (!/^\d+(\.\d+)?$/.test(r))
    return { ok: false, error: 'Enter the rate as a number, e.g. 2500.' }
  const perEth = Number(r)
  if (!(perEth > 0) || perEth > MAX_RATE)
    return {
      ok: false,
      error: `The rate must be above 0 and at most ${MAX_RATE.toLocaleString('en-US')}.`,
    }
  return { ok: true, rate: { currency, perEth } }
}

/**
 * An amount in wei as an estimate in the rate's currency.
 * @example fiatText('500000000000000000', { currency: 'EUR', perEth: 2000 }) // '€1,000.00'
 */
export function fiatText(wei: string | bigint, rate: FiatRate): string {
  const eth = Number(weiOf(wei)) / 1e18
  const value = eth * rate.perEth
  const fmt = new Intl.NumberFormat('en', {
    style: 'currency',
    currency: rate.currency,
    // Small amounts keep two significant digits rather than reading as 0.00.
    ...(value !== 0 && Math.abs(value) < 0.01 ? { maximumSignificantDigits: 2 } : {}),
  })
  return fmt.format(value)
}

/** The stored setting, or null (none, or unreadable: it is only a preference). */
export function loadFiat(storage: Pick<Storage, 'getItem'>): FiatRate | null {
  try {
    const raw = JSON.parse(storage.getItem(FIAT_KEY) ?? 'null') as unknown
    if (!raw || typeof raw !== 'object') return null
    const { currency, perEth } = raw as Record<string, unknown>
    const p = parseFiat(String(currency ?? ''), String(perEth ?? ''))
    return p.ok ? p.rate : null
  } catch {
    return null
  }
}

/** Stores the setting; null removes it. */
export function saveFiat(
  storage: Pick<Storage, 'setItem' | 'removeItem'>,
  rate: FiatRate | null,
): void {
  if (rate) storage.setItem(FIAT_KEY, JSON.stringify(rate))
  else storage.removeItem(FIAT_KEY)
}
