import { describe, expect, it } from 'vitest'
import type { PayOverview } from '../../shared/protocol/methods/pay.ts'
import { payNotices, stoppedNotice } from './notices.ts'

const ETH = (10n ** 18n).toString()

function overview(
  p: Partial<PayOverview> = {},
  book: Partial<NonNullable<PayOverview['chequebook']>> = {},
): PayOverview {
  return {
    chequebook: {
      payer: `0x${'11'.repeat(20)}`,
      chequebook: `0x${'22'.repeat(20)}`,
      chainId: 31337,
      balance: ETH,
      committed: '0',
      withdrawal: null,
      withdrawDelay: 86_400,
      owed: '0',
      ...book,
    },
    settings: { maxPrice: '1000', perItem: ETH, perDay: ETH },
    spentToday: '0',
    lines: [],
    owed: '0',
    cashGasWei: '0',
    earned: [],
    spent: [],
    stopped: null,
    ...p,
  }
}

const ids = (o: PayOverview | null, stopped: PayOverview['stopped'] = null) =>
  payNotices(o, stopped).map((n) => n.id)

describe('payNotices', () => {
  it('says nothing while everything runs', () => {
    expect(ids(overview())).toEqual([])
  })

  it('tells a node without a chain, on both sides', () => {
    expect(ids(null)).toEqual(['no-chain'])
    expect(payNotices(null, null, 'payee').map((n) => n.id)).toEqual(['no-chain'])
    expect(payNotices(overview({}, { balance: '0' }), null, 'payee')).toEqual([])
  })

  it('tells an empty chequebook that free seeders still serve', () => {
    const [n] = payNotices(overview({}, { balance: '0' }), null)
    expect(n?.id).toBe('empty')
    expect(n?.text).toContain('deposit to fetch paid slices; free seeders still serve')
  })

  it('tells a balance that cheques already promise', () => {
    expect(ids(overview({}, { committed: ETH }))).toEqual(['spent'])
  })

  it("tells today's cap, and a max price of 0", () => {
    expect(ids(overview({ spentToday: ETH }))).toEqual(['cap'])
    expect(ids(overview({ settings: { maxPrice: '0', perItem: '0', perDay: '0' } }))).toEqual([
      'free-only',
    ])
  })

  it('puts a stop first and does not say the same twice', () => {
    expect(ids(overview({ spentToday: ETH }), { reason: 'cap', message: 'x' })).toEqual(['stopped'])
    expect(ids(overview({}, { balance: '0' }), { reason: 'balance', message: 'x' })).toEqual([
      'stopped',
    ])
    expect(ids(overview({}, { balance: '0' }), { reason: 'rejected', message: 'x' })).toEqual([
      'stopped',
      'empty',
    ])
  })

  it('tells a chain without a chequebook', () => {
    expect(ids(overview({ chequebook: null }))).toEqual(['no-chequebook'])
  })
})

describe('stoppedNotice', () => {
  it('names the reason and the node message', () => {
    const n = stoppedNotice({
      reason: 'cap',
      message: 'The spending cap for this item is reached.',
    })
    expect(n).toMatchObject({ id: 'stopped', tone: 'alert', reason: 'cap' })
    expect(n?.text).toContain(
      'a spending cap is reached — The spending cap for this item is reached.',
    )
    expect(stoppedNotice(null)).toBeNull()
  })
})
