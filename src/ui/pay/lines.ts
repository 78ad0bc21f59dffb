/**
 * The ledger's lines (one per payer, payee and card, DESIGN §2 Cheque) summed the ways the
 * Earnings and Spending views show them: per card, per peer (the payer of what this node
 * earned, the payee of what it spent), and in total. A line's cumulative is what was signed
 * (sent) or accepted (received) so far; what is not cashed yet is owed to the payee.
 */
import type { PayLine } from '../../shared/protocol/methods/pay.ts'
import { weiOf } from './format.ts'

export type Side = PayLine['side']

/** One row of a view's table: the lines of one card or of one peer, summed. */
export type LedgerRow = {
  /** The card id or the peer's address, as the first line had it. */
  id: `0x${string}`
  /** Cumulative accepted (earned) or signed (paid), in wei. */
  total: bigint
  /** Paid on-chain so far. */
  cashed: bigint
  /** Signed or accepted and not cashed yet. */
  owed: bigint
  slices: number
  bytes: number
  /** Peers of a card row, cards of a peer row. */
  count: number
  updatedAt: number
}

export type LedgerTotals = Omit<LedgerRow, 'id' | 'count'> & { lines: number }

/** The peer on the other side of a line: who paid this node, or whom it paid. */
export function peerOf(line: PayLine): `0x${string}` {
  return line.side === 'received' ? line.payer : line.payee
}

function owedOf(line: PayLine): bigint {
  const left = weiOf(line.cumulative) - weiOf(line.cashed)
  return left > 0n ? left : 0n
}

/**
 * Sums one side's lines per card or per peer; biggest total first (then newest, then id).
 * Ids are compared without case, since addresses may come checksummed or not.
 * @example groupLines(overview.lines, 'received', 'card')
 */
export function groupLines(
  lines: readonly PayLine[],
  side: Side,
  by: 'card' | 'peer',
): LedgerRow[] {
  const rows = new Map<string, LedgerRow & { others: Set<string> }>()
  for (const line of lines) {
    if (line.side !== side) continue
    const id = by === 'card' ? line.cardId : peerOf(line)
    const other = (by === 'card' ? peerOf(line) : line.cardId).toLowerCase()
    const key = id.toLowerCase()
    let row = rows.get(key)
    if (!row) {
      row = {
        id,
        total: 0n,
        cashed: 0n,
        owed: 0n,
        slices: 0,
        bytes: 0,
        count: 0,
        updatedAt: 0,
        others: new Set(),
      }
      rows.set(key, row)
    }
    row.total += weiOf(line.cumulative)
    row.cashed += weiOf(line.cashed)
    row.owed += owedOf(line)
    row.slices += line.slices
    row.bytes += line.bytes
    row.updatedAt = Math.max(row.updatedAt, line.updatedAt)
    row.others.add(other)
  }
  return [...rows.values()]
    .map(({ others, ...row }) => ({ ...row, count: others.size }))
    .sort(
      (a, b) =>
        (a.total === b.total ? 0 : a.total > b.total ? -1 : 1) ||
        b.updatedAt - a.updatedAt ||
        a.id.toLowerCase().localeCompare(b.id.toLowerCase()),
    )
}

/** One side's lines summed. */
export function totalsOf(lines: readonly PayLine[], side: Side): LedgerTotals {
  const t: LedgerTotals = {
    total: 0n,
    cashed: 0n,
    owed: 0n,
    slices: 0,
    bytes: 0,
    updatedAt: 0,
    lines: 0,
  }
  for (const line of lines) {
    if (line.side !== side) continue
    t.total += weiOf(line.cumulative)
    t.cashed += weiOf(line.cashed)
    t.owed += owedOf(line)
    t.slices += line.slices
    t.bytes += line.bytes
    t.updatedAt = Math.max(t.updatedAt, line.updatedAt)
    t.lines++
  }
  return t
}
