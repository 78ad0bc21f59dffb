import { describe, expect, it } from 'vitest'
import type { HistoryEntry } from '../../shared/protocol/methods/activity.ts'
import { anchorOf, historyLabel, isOutgoing } from './historyText.ts'

const e = (o: Partial<HistoryEntry> & Pick<HistoryEntry, 'kind'>) =>
  ({ id: 'x', at: 0, links: [], ...o }) as HistoryEntry

describe('history text', () => {
  it('labels each kind and tells money out from money in', () => {
    expect(historyLabel(e({ kind: 'purchase', out: true }))).toBe('Bought a key')
    expect(isOutgoing(e({ kind: 'purchase', out: true }))).toBe(true)
    expect(historyLabel(e({ kind: 'claim', source: 'chequebook' }))).toBe(
      'Claimed chequebook royalties',
    )
    expect(historyLabel(e({ kind: 'cash', side: 'sent' }))).toBe('Your cheques, cashed')
    const line = {
      kind: 'cheques',
      side: 'sent',
      cardId: '0x1',
      who: '0x2',
      amount: '1',
      cashed: '0',
      slices: 1,
    }
    expect(historyLabel(e(line as never))).toBe('Cheques paid')
    expect(isOutgoing(e(line as never))).toBe(true)
    expect(isOutgoing(e({ kind: 'sale' }))).toBe(false)
  })

  it('makes ids safe for HTML', () => {
    expect(anchorOf('cash:received:0xab')).toBe('h-cash-received-0xab')
  })
})
