import fc from 'fast-check'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../shared/errors/common.ts'
import {
  bytesText,
  durationText,
  ethOf,
  ethText,
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
    expect(ethText('20000000000000000')).toBe('0.02 ETH')
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
