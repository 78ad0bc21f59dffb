import fc from 'fast-check'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../shared/errors/common.ts'
import {
  bytesText,
  durationText,
  ethOf,
  ethText,
  formatEth,
  parseEth,
  shortHex,
  spanText,
  weiOf,
} from './format.ts'

describe('ethOf', () => {
  it('writes every digit of the wei, never rounding', () => {
    expect(ethOf('1')).toBe('0.000000000000000001')
    expect(ethOf('1500000000000000001')).toBe('1.500000000000000001')
    expect(ethOf('10000000000000000')).toBe('0.01')
    expect(ethOf('0')).toBe('0')
    expect(ethOf(123n * 10n ** 18n)).toBe('123')
  })

  it('round-trips through parseEth for any amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 128n }), (wei) => {
        const p = parseEth(ethOf(wei.toString()))
        expect(p).toEqual({ ok: true, wei })
      }),
    )
  })

  it('refuses what is not a decimal wei string', () => {
    for (const bad of ['', '-1', '1.5', '0x10', ' 1', '1e18'])
      expect(() => weiOf(bad)).toThrow(InvalidInputError)
  })
})

/** What a shown amount means, back in wei (the grouping commas dropped). */
const shownWei = (wei: bigint) => {
  const p = parseEth(formatEth(wei).replaceAll(',', ''))
  if (!p.ok) throw new Error(`unparseable: ${formatEth(wei)}`)
  return p.wei
}
const ETH = 10n ** 18n

describe('formatEth', () => {
  it('shows a few decimals, rounded, grouped, and never 18 digits of noise', () => {
    expect(formatEth('9999998765432109876543')).toBe('9,999.9988')
    expect(formatEth(10_000n * ETH)).toBe('10,000')
    expect(formatEth(1_234_567_890n * ETH + ETH / 2n)).toBe('1,234,567,890.5')
    expect(formatEth(999n * ETH)).toBe('999')
    expect(formatEth('20000000000000000')).toBe('0.02')
    expect(ethText('20000000000000000')).toBe('0.02 ETH')
    expect(formatEth('123456789012345678')).toBe('0.123457')
    expect(formatEth('1499999999999999999')).toBe('1.5')
    expect(formatEth(0n)).toBe('0')
    expect(formatEth(-(ETH / 4n))).toBe('-0.25')
  })

  it('keeps two significant digits of a tiny amount, down to 1 wei', () => {
    expect(formatEth('1234567890123')).toBe('0.0000012')
    expect(formatEth('600000000000')).toBe('0.0000006')
    expect(formatEth('1000000000')).toBe('0.000000001')
    expect(formatEth('1')).toBe('0.000000000000000001')
  })

  it('is within half a shown unit of the exact amount (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 100n }), (wei) => {
        const err = shownWei(wei) - wei
        const abs = err < 0n ? -err : err
        // 4 decimals from 1 ETH up, at least 6 below.
        const halfUnit = wei >= ETH ? 5n * 10n ** 13n : 5n * 10n ** 11n
        expect(abs <= halfUnit).toBe(true)
        // Two significant digits at least: at most 5 % off, and never 0 for a non-zero amount.
        expect(abs * 20n <= wei).toBe(true)
        if (wei > 0n) expect(shownWei(wei) > 0n).toBe(true)
      }),
    )
  })

  it('shows amounts with few decimals exactly, and keeps their order (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), (k) => {
        // Whole multiples of 0.0001 ETH (prices, deposits, cheque totals) survive unchanged.
        expect(shownWei(k * 10n ** 14n)).toBe(k * 10n ** 14n)
      }),
    )
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 90n }),
        fc.bigInt({ min: 0n, max: 2n ** 90n }),
        (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a]
          expect(shownWei(lo) <= shownWei(hi)).toBe(true)
        },
      ),
    )
  })
})

describe('parseEth', () => {
  it('converts ether to wei exactly, like viem', () => {
    expect(parseEth('0.01')).toEqual({ ok: true, wei: 10n ** 16n })
    expect(parseEth(' 1.000000000000000001 ')).toEqual({ ok: true, wei: 10n ** 18n + 1n })
    expect(parseEth('.5')).toEqual({ ok: true, wei: parseEther('0.5') })
    expect(parseEth('2.')).toEqual({ ok: true, wei: 2n * 10n ** 18n })
    expect(parseEth('0')).toEqual({ ok: true, wei: 0n })
  })

  it('says what is wrong instead of rounding or guessing', () => {
    expect(parseEth('')).toMatchObject({ ok: false, error: expect.stringContaining('Enter') })
    expect(parseEth('.')).toMatchObject({ ok: false })
    expect(parseEth('-1')).toMatchObject({ ok: false })
    expect(parseEth('1e-3')).toMatchObject({ ok: false })
    expect(parseEth('0,5')).toMatchObject({ ok: false, error: expect.stringContaining('dot') })
    expect(parseEth('0.0000000000000000001')).toMatchObject({
      ok: false,
      error: expect.stringContaining('18 decimals'),
    })
    expect(parseEth('1'.repeat(31))).toMatchObject({
      ok: false,
      error: expect.stringContaining('large'),
    })
  })
})

describe('text helpers', () => {
  it('writes sizes in decimal units', () => {
    expect(bytesText(0)).toBe('0 B')
    expect(bytesText(999)).toBe('999 B')
    expect(bytesText(1_572_864)).toBe('1.6 MB')
    expect(bytesText(2.5e9)).toBe('2.5 GB')
  })

  it('counts down in days, hours, minutes, seconds', () => {
    expect(durationText(0)).toBe('00h 00m 00s')
    expect(durationText(61.2)).toBe('00h 01m 02s')
    expect(durationText(90_061)).toBe('1d 01h 01m 01s')
    expect(durationText(-5)).toBe('00h 00m 00s')
  })

  it('says a delay in words, to two units', () => {
    expect(spanText(86_400)).toBe('1 day')
    expect(spanText(5_400)).toBe('1 hour 30 minutes')
    expect(spanText(90_061)).toBe('1 day 1 hour')
    expect(spanText(86_460)).toBe('1 day')
    expect(spanText(0)).toBe('0 seconds')
  })

  it('shortens long hex only', () => {
    expect(shortHex('0x1234')).toBe('0x1234')
    expect(shortHex(`0x${'ab'.repeat(20)}`)).toBe('0xababab…abab')
  })
})
