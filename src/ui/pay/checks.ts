/**
 * Validation of the chequebook forms (DESIGN §4.6): what the person types in ETH becomes the
 * wei strings `pay.deposit`, `pay.announceWithdraw` and `pay.setSettings` take, or a message
 * per bad field. The node checks again; these only spare a round trip and say why early.
 */
import type { ChequebookState, SpendSettings } from '../../shared/protocol/methods/pay.ts'
import { ethOf, ethText, parseEth, weiOf } from './format.ts'

/** The Chequebook stores balances in uint128 and announced withdrawals in uint88. */
export const MAX_BALANCE = 2n ** 128n - 1n
export const MAX_WITHDRAW = 2n ** 88n - 1n

export type AmountCheck =
  | { ok: true; wei: string; warning: string }
  | { ok: false; error: string; warning: '' }

const bad = (error: string): AmountCheck => ({ ok: false, error, warning: '' })

/**
 * A deposit: above 0 and within the contract's range. `accountBalance` (the node's own account,
 * when it pays) only warns: the node has the last word, and gas comes on top.
 * @example checkDeposit('0.5', { accountBalance: '0' }).warning // 'More than …'
 */
export function checkDeposit(
  text: string,
  opts: { accountBalance?: string | null } = {},
): AmountCheck {
  const p = parseEth(text)
  if (!p.ok) return bad(p.error)
  if (p.wei === 0n) return bad('Enter an amount above 0.')
  if (p.wei > MAX_BALANCE) return bad('That amount is too large.')
  const held = opts.accountBalance == null ? null : weiOf(opts.accountBalance)
  const warning =
    held !== null && p.wei > held
      ? `More than this node's account holds (${ethText(held)}): the deposit would fail.`
      : ''
  return { ok: true, wei: p.wei.toString(), warning }
}

/**
 * A withdrawal to announce: above 0 and at most the balance. Taking what the node's cheques
 * already promise is allowed (the time lock is there so payees cash first) but warned about.
 */
export function checkWithdraw(
  text: string,
  book: Pick<ChequebookState, 'balance' | 'committed'>,
): AmountCheck {
  const p = parseEth(text)
  if (!p.ok) return bad(p.error)
  if (p.wei === 0n) return bad('Enter an amount above 0.')
  const balance = weiOf(book.balance)
  if (p.wei > balance) return bad(`The chequebook holds ${ethText(balance)}.`)
  if (p.wei > MAX_WITHDRAW) return bad('That amount is too large.')
  const free = balance - weiOf(book.committed)
  const warning =
    p.wei > free
      ? `Your cheques already promise ${ethText(book.committed)}: seeders may cash them before the withdrawal unlocks, and it then pays out less.`
      : ''
  return { ok: true, wei: p.wei.toString(), warning }
}

/** The spending settings as typed, in ETH. */
export type SettingsInput = { maxPrice: string; perItem: string; perDay: string }

export type SettingsCheck =
  | { ok: true; settings: SpendSettings; errors: Record<string, never> }
  | { ok: false; settings: null; errors: Partial<Record<keyof SettingsInput, string>> }

/** Settings (wei) as the form shows them (ETH, exact). */
export function settingsInput(s: SpendSettings): SettingsInput {
  return { maxPrice: ethOf(s.maxPrice), perItem: ethOf(s.perItem), perDay: ethOf(s.perDay) }
}

/**
 * Checks the typed settings. 0 is allowed everywhere (a max price of 0 fetches from free seeders
 * only); caps below the max price would let no paid slice through, so they are refused.
 * @example checkSettings({ maxPrice: '0.0001', perItem: '0.01', perDay: '0.1' }).ok // true
 */
export function checkSettings(input: SettingsInput): SettingsCheck {
  const errors: Partial<Record<keyof SettingsInput, string>> = {}
  const wei: Partial<Record<keyof SettingsInput, bigint>> = {}
  for (const field of ['maxPrice', 'perItem', 'perDay'] as const) {
    const p = parseEth(input[field])
    if (!p.ok) errors[field] = p.error
    else if (p.wei > MAX_BALANCE) errors[field] = 'That amount is too large.'
    else wei[field] = p.wei
  }
  const { maxPrice, perItem, perDay } = wei
  if (maxPrice !== undefined && maxPrice > 0n) {
    if (perItem !== undefined && perItem < maxPrice)
      errors.perItem = 'Below the max price per slice: no paid slice would fit.'
    if (perDay !== undefined && perDay < maxPrice)
      errors.perDay = 'Below the max price per slice: no paid slice would fit.'
  }
  if (
    maxPrice === undefined ||
    perItem === undefined ||
    perDay === undefined ||
    Object.keys(errors).length > 0
  )
    return { ok: false, settings: null, errors }
  return {
    ok: true,
    settings: {
      maxPrice: maxPrice.toString(),
      perItem: perItem.toString(),
      perDay: perDay.toString(),
    },
    errors: {},
  }
}
