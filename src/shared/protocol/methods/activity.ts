/**
 * Page↔node RPC methods of activity (src/node/activity/, issue #18 items 3 and 4): the
 * notifications of an account — who followed it, reacted to or commented on its cards, bought,
 * resold or paid royalties on its keys, and the keys delivered to it — with their read state,
 * and the wallet's history of money moved. Declared in the table of src/shared/protocol/rpc.ts.
 * Amounts are decimal wei strings; times are ms since the epoch.
 */

type Hex = `0x${string}`

/**
 * What happened. Notifications: `follow`, `reaction`, `comment`, `sale` (a key of one of my
 * listings was bought), `royalty` (a key of my listing was resold: the creator's share),
 * `resale` (a key I owned sold on its offer), `delivery` (a key I bought arrived). The wallet's
 * history also has `purchase` (a key I bought, new or resold), `claim` (what a contract owed me,
 * taken) and `cash` (cheques cashed on-chain in one transaction, for or against me).
 */
export type ActivityKind =
  | 'follow'
  | 'reaction'
  | 'comment'
  | 'sale'
  | 'royalty'
  | 'resale'
  | 'delivery'
  | 'purchase'
  | 'claim'
  | 'cash'

/** The kinds the notifications view lists (and counts unread). */
export const NOTIFY_KINDS: readonly ActivityKind[] = [
  'follow',
  'reaction',
  'comment',
  'sale',
  'royalty',
  'resale',
  'delivery',
]

/** One notification or money event of this account, as the node stored it. */
export type ActivityEntry = {
  /** Stable and unique: the same chain event or gossip message always makes the same id. */
  id: string
  kind: ActivityKind
  /** When it happened: the block's time for chain events, when it was seen for gossip. */
  at: number
  /** The block it was mined in (absent for gossip not mined yet and for deliveries). */
  block?: number | undefined
  txHash?: Hex | undefined
  /** The card it is about: mine (reaction, sale…), the reply (comment), the key's (purchase). */
  cardId?: Hex | undefined
  /** A comment: the card of mine it replies to. */
  parentId?: Hex | undefined
  /** The other party: follower, reactor, commenter, buyer, seller, cheque counterparty. */
  who?: Hex | undefined
  /** Wei this entry moved to me (sale, royalty, resale, claim, cash received) or from me. */
  amount?: string | undefined
  /** Whether `amount` left this account (a purchase, cheques of mine cashed). */
  out?: boolean | undefined
  tokenId?: string | undefined
  /** `claim`: the contract that paid. `cash`: whether I was the payee or the payer. */
  source?: 'keyMarket' | 'chequebook' | undefined
  side?: 'received' | 'sent' | undefined
  /** `cash`: the cheque lines (see {@link chequeLineId}) this transaction cashed. */
  lines?: string[] | undefined
  /** Notifications only: false until the person opened the notifications view. */
  read?: boolean | undefined
}

/** An entry as shown: with the card's title (when the feed index knows it) and its links. */
export type ShownEntry = ActivityEntry & {
  title?: string | undefined
  /** Ids of related entries (history: {@link HistoryEntry}). */
  links: string[]
}

/**
 * A line of the wallet's history: an {@link ActivityEntry} of a money kind, or the cheques of one
 * pay-per-slice line (one payer, payee and card), from the pay ledger.
 */
export type HistoryEntry =
  | ShownEntry
  | {
      id: string
      kind: 'cheques'
      side: 'sent' | 'received'
      at: number
      cardId: Hex
      title?: string | undefined
      /** The other party of the line. */
      who: Hex
      /** Signed so far (the newest cheque's cumulative), and cashed on-chain so far. */
      amount: string
      cashed: string
      slices: number
      links: string[]
    }

/** The id of a pay-per-slice line's history entry. */
export function chequeLineId(
  side: 'sent' | 'received',
  l: { payer: string; payee: string; cardId: string },
): string {
  return `cheques:${side}:${l.payer}:${l.payee}:${l.cardId}`.toLowerCase()
}

export type ActivityMethods = {
  /**
   * The newest notifications (at most `limit`, default 100), newest first, with the unread
   * count; `before` pages on (an entry's `at`).
   */
  'activity.list': {
    params: { limit?: number; before?: number } | undefined
    result: { entries: ShownEntry[]; unread: number }
  }
  /** Marks notifications read: these ids, or every one when `ids` is absent. */
  'activity.markRead': { params: { ids?: string[] } | undefined; result: { unread: number } }
  /** The wallet's history, newest first: purchases, sales, royalties, claims, cheques. */
  'activity.history': {
    params: { limit?: number } | undefined
    result: { entries: HistoryEntry[] }
  }
}

/** Events the activity service sends the page (in NodeEvent). */
export type ActivityEvent = {
  kind: 'activity.update'
  /** Unread notifications now. */
  unread: number
  /** Entries new since the last event (notifications and money alike). */
  added: ActivityEntry[]
  /** Ids of entries withdrawn: the chain events behind them were reorganised out. */
  removed?: string[] | undefined
}
