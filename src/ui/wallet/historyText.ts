/**
 * How the wallet's history names its entries (WalletHistory.svelte): a short label per kind,
 * and whether the amount came in or went out.
 */
import type { HistoryEntry } from '../../shared/protocol/methods/activity.ts'

/** What an entry was, in a few words (the card's title and the other party are shown beside). */
export function historyLabel(e: HistoryEntry): string {
  switch (e.kind) {
    case 'purchase':
      return 'Bought a key'
    case 'sale':
      return 'Sold a key'
    case 'royalty':
      return e.source === 'chequebook' ? 'Royalty on a cheque' : 'Royalty on a resale'
    case 'resale':
      return 'Resold your key'
    case 'claim':
      return e.source === 'chequebook' ? 'Claimed chequebook royalties' : 'Claimed key sales'
    case 'cash':
      return e.side === 'sent' ? 'Your cheques, cashed' : 'Cashed cheques'
    case 'cheques':
      return e.side === 'sent' ? 'Cheques paid' : 'Cheques received'
    default:
      return e.kind
  }
}

/** Whether the entry's amount left this account. */
export function isOutgoing(e: HistoryEntry): boolean {
  return e.kind === 'cheques' ? e.side === 'sent' : e.out === true
}

/** An id usable as an HTML id and in a test selector (entry ids hold `:`). */
export function anchorOf(id: string): string {
  return `h-${id.replace(/[^a-zA-Z0-9_-]/g, '-')}`
}
