import { describe, expect, it } from 'vitest'
import {
  checkDeposit,
  checkSettings,
  checkWithdraw,
  MAX_WITHDRAW,
  settingsInput,
} from './checks.ts'
import { ethOf } from './format.ts'

const ETH = 10n ** 18n

describe('checkDeposit', () => {
  it('converts a positive amount to a wei string', () => {
    expect(checkDeposit('0.25')).toEqual({ ok: true, wei: (ETH / 4n).toString(), warning: '' })
  })

  it('refuses zero and bad text', () => {
    expect(checkDeposit('0')).toMatchObject({ ok: false, error: 'Enter an amount above 0.' })
    expect(checkDeposit('abc').ok).toBe(false)
  })

  it("warns, without refusing, when the node's account holds less", () => {
    const c = checkDeposit('2', { accountBalance: ETH.toString() })
    expect(c.ok).toBe(true)
    expect(c.warning).toContain('1 ETH')
    expect(checkDeposit('1', { accountBalance: ETH.toString() }).warning).toBe('')
    expect(checkDeposit('2', { accountBalance: null }).warning).toBe('')
  })
})

describe('checkWithdraw', () => {
  const book = { balance: ETH.toString(), committed: (ETH / 2n).toString() }

  it('allows up to the balance, warning past what cheques leave free', () => {
    expect(checkWithdraw('0.5', book)).toEqual({
      ok: true,
      wei: (ETH / 2n).toString(),
      warning: '',
    })
    const over = checkWithdraw('0.75', book)
    expect(over.ok).toBe(true)
    expect(over.warning).toContain('0.5 ETH')
  })

  it('refuses more than the balance, zero, and past uint88', () => {
    expect(checkWithdraw('1.000000000000000001', book)).toMatchObject({
      ok: false,
      error: 'The chequebook holds 1 ETH.',
    })
    expect(checkWithdraw('0', book).ok).toBe(false)
    const huge = { balance: (MAX_WITHDRAW + 1n).toString(), committed: '0' }
    expect(checkWithdraw(ethOf(MAX_WITHDRAW + 1n), huge)).toMatchObject({
      ok: false,
      error: 'That amount is too large.',
    })
    expect(checkWithdraw(ethOf(MAX_WITHDRAW), huge).ok).toBe(true)
  })
})

describe('checkSettings', () => {
  it('converts every field to wei', () => {
    expect(checkSettings({ maxPrice: '0.0001', perItem: '0.01', perDay: '0.1' })).toEqual({
      ok: true,
      errors: {},
      settings: {
        maxPrice: (ETH / 10_000n).toString(),
        perItem: (ETH / 100n).toString(),
        perDay: (ETH / 10n).toString(),
      },
    })
  })

  it('names every bad field', () => {
    const c = checkSettings({ maxPrice: 'x', perItem: '', perDay: '1,5' })
    expect(c.ok).toBe(false)
    expect(Object.keys(c.errors).sort()).toEqual(['maxPrice', 'perDay', 'perItem'])
  })

  it('refuses caps no paid slice would fit under', () => {
    const c = checkSettings({ maxPrice: '0.01', perItem: '0.001', perDay: '0.001' })
    expect(c.ok).toBe(false)
    expect(Object.keys(c.errors).sort()).toEqual(['perDay', 'perItem'])
  })

  it('lets a max price of 0 mean free seeders only, whatever the caps', () => {
    expect(checkSettings({ maxPrice: '0', perItem: '0', perDay: '0' }).ok).toBe(true)
  })

  it('fills the form from saved settings exactly, and round-trips', () => {
    const saved = { maxPrice: '1', perItem: '1000000000000000001', perDay: '0' }
    const input = settingsInput(saved)
    expect(input).toEqual({
      maxPrice: '0.000000000000000001',
      perItem: '1.000000000000000001',
      perDay: '0',
    })
    const back = checkSettings({ ...input, perDay: '1' })
    expect(back.ok && back.settings.perItem).toBe(saved.perItem)
  })
})
