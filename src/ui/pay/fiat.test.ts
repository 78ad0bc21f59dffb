import { describe, expect, it } from 'vitest'
import { FIAT_KEY, fiatText, loadFiat, parseFiat, saveFiat } from './fiat.ts'

/** A Map behind the Storage methods the module uses. */
function memoryStorage() {
  const m = new Map<string, string>()
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    raw: m,
  }
}

describe('fiat estimate', () => {
  it('accepts a known currency and a positive rate, and says what is wrong otherwise', () => {
    expect(parseFiat(' eur ', '2500.5')).toEqual({
      ok: true,
      rate: { currency: 'EUR', perEth: 2500.5 },
    })
    expect(parseFiat('euro', '1')).toMatchObject({
      ok: false,
      error: expect.stringContaining('three-letter'),
    })
    expect(parseFiat('EUR', '')).toMatchObject({
      ok: false,
      error: expect.stringContaining('number'),
    })
    expect(parseFiat('EUR', '-3')).toMatchObject({ ok: false })
    expect(parseFiat('EUR', '0')).toMatchObject({
      ok: false,
      error: expect.stringContaining('above 0'),
    })
    expect(parseFiat('EUR', '1e3')).toMatchObject({ ok: false })
  })

  it('converts wei at the rate, in the currency', () => {
    const eur = { currency: 'EUR', perEth: 2000 }
    expect(fiatText('500000000000000000', eur)).toBe('€1,000.00')
    expect(fiatText(0n, eur)).toBe('€0.00')
    expect(fiatText('1000000000000', eur)).toBe('€0.002')
    expect(fiatText(10n ** 18n, { currency: 'USD', perEth: 3 })).toBe('$3.00')
  })

  it('is stored locally and ignores a damaged entry', () => {
    const s = memoryStorage()
    expect(loadFiat(s)).toBeNull()
    saveFiat(s, { currency: 'CHF', perEth: 1800 })
    expect(loadFiat(s)).toEqual({ currency: 'CHF', perEth: 1800 })
    s.raw.set(FIAT_KEY, '{"currency":"??","perEth":1}')
    expect(loadFiat(s)).toBeNull()
    s.raw.set(FIAT_KEY, 'not json')
    expect(loadFiat(s)).toBeNull()
    saveFiat(s, null)
    expect(s.raw.has(FIAT_KEY)).toBe(false)
  })
})
