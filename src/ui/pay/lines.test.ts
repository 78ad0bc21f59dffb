import { describe, expect, it } from 'vitest'
import type { PayLine } from '../../shared/protocol/methods/pay.ts'
import { groupLines, peerOf, totalsOf } from './lines.ts'

const me = `0x${'11'.repeat(20)}` as const
const alice = `0x${'aa'.repeat(20)}` as const
const bob = `0x${'bb'.repeat(20)}` as const
const card1 = `0x${'01'.repeat(32)}` as const
const card2 = `0x${'02'.repeat(32)}` as const

function line(p: Partial<PayLine> & Pick<PayLine, 'side' | 'cardId' | 'cumulative'>): PayLine {
  return {
    payer: p.side === 'received' ? alice : me,
    payee: p.side === 'received' ? me : bob,
    cashed: '0',
    slices: 1,
    bytes: 100,
    updatedAt: 1,
    ...p,
  }
}

const lines: PayLine[] = [
  line({
    side: 'received',
    cardId: card1,
    cumulative: '300',
    cashed: '100',
    slices: 3,
    bytes: 300,
    updatedAt: 5,
  }),
  line({
    side: 'received',
    cardId: card1,
    payer: bob,
    cumulative: '200',
    slices: 2,
    bytes: 200,
    updatedAt: 7,
  }),
  // The same payer, written checksummed-looking: one peer.
  line({
    side: 'received',
    cardId: card2,
    payer: alice.toUpperCase().replace('0X', '0x') as `0x${string}`,
    cumulative: '50',
    cashed: '50',
  }),
  line({ side: 'sent', cardId: card2, cumulative: '999', cashed: '0' }),
]

describe('groupLines', () => {
  it('sums per card, biggest first, counting distinct payers', () => {
    const rows = groupLines(lines, 'received', 'card')
    expect(
      rows.map((r) => [r.id, r.total, r.owed, r.cashed, r.slices, r.bytes, r.count, r.updatedAt]),
    ).toEqual([
      [card1, 500n, 400n, 100n, 5, 500, 2, 7],
      [card2, 50n, 0n, 50n, 1, 100, 1, 1],
    ])
  })

  it('sums per payer, whatever the case of the address', () => {
    const rows = groupLines(lines, 'received', 'peer')
    expect(rows.map((r) => [r.id.toLowerCase(), r.total, r.count])).toEqual([
      [alice, 350n, 2],
      [bob, 200n, 1],
    ])
  })

  it('keeps to one side: the payee of what was spent', () => {
    const rows = groupLines(lines, 'sent', 'peer')
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ id: bob, total: 999n, owed: 999n, count: 1 })
  })

  it('never counts a cashed amount above the cumulative as owed', () => {
    const odd = [line({ side: 'received', cardId: card1, cumulative: '10', cashed: '20' })]
    expect(groupLines(odd, 'received', 'card')[0]?.owed).toBe(0n)
  })
})

describe('totalsOf', () => {
  it('sums one side', () => {
    expect(totalsOf(lines, 'received')).toEqual({
      total: 550n,
      cashed: 150n,
      owed: 400n,
      slices: 6,
      bytes: 600,
      updatedAt: 7,
      lines: 3,
    })
    expect(totalsOf([], 'sent')).toMatchObject({ total: 0n, lines: 0 })
  })
})

describe('peerOf', () => {
  it('is the payer of what was received and the payee of what was sent', () => {
    expect(peerOf(lines[0]!)).toBe(alice)
    expect(peerOf(lines[3]!)).toBe(bob)
  })
})
