/**
 * Page↔node RPC methods of paying per slice (src/node/pay/, DESIGN §4.6), declared in the
 * table of src/shared/protocol/rpc.ts. Amounts are decimal wei strings (bigint-safe over
 * structured clone and JSON alike).
 */

/** The node's chequebook account, as log sync last saw it. */
export type ChequebookState = {
  /** The payer address: always the node's own (hot) account. */
  payer: `0x${string}`
  chequebook: `0x${string}`
  chainId: number
  /** Wei deposited and not withdrawn. */
  balance: string
  /** Wei of that balance the node's cheques already promise (signed, not yet cashed). */
  committed: string
  /** An announced withdrawal: its amount and when it unlocks (unix seconds); null if none. */
  withdrawal: { amount: string; unlockAt: number } | null
  /** The contract's WITHDRAW_DELAY, seconds. */
  withdrawDelay: number
  /** Wei the Chequebook owes this account (royalties as a creator, refused payments). */
  owed: string
}

/** The user's spending settings; all wei. */
export type SpendSettings = { maxPrice: string; perItem: string; perDay: string }

/** One line of the ledger, from either side. */
export type PayLine = {
  side: 'sent' | 'received'
  payer: `0x${string}`
  payee: `0x${string}`
  cardId: `0x${string}`
  /** Newest cumulative signed (sent) or accepted (received). */
  cumulative: string
  /** Paid on-chain so far. */
  cashed: string
  slices: number
  bytes: number
  updatedAt: number
}

/** A point of the earnings / spending series (one per minute with activity). */
export type PayPoint = { t: number; wei: string; bytes: number }

export type PayOverview = {
  chequebook: ChequebookState | null
  settings: SpendSettings
  /** Spent today (UTC) across everything. */
  spentToday: string
  lines: PayLine[]
  /** Wei of received cheques not yet cashed, and what a cash-out now would cost in gas (wei). */
  owed: string
  cashGasWei: string
  /** Earned (received) and spent (sent) per minute, for the plots. */
  earned: PayPoint[]
  spent: PayPoint[]
  /** Why paid fetching stopped, if it did (a cap, an empty chequebook); null while it runs. */
  stopped: {
    reason: 'cap' | 'balance' | 'rejected'
    message: string
    /** The card whose download stopped (the player shows the banner on that card only). */
    cardId?: `0x${string}` | undefined
  } | null
}

export type PayMethods = {
  /** Chequebook, settings, ledger lines and series; null without a chain. */
  'pay.overview': { params: undefined; result: PayOverview | null }
  /** Saves the spending settings (SpendingSettingsError naming a bad field). */
  'pay.setSettings': { params: SpendSettings; result: SpendSettings }
  /**
   * Deposits `amount` wei into the node's chequebook line: from the node's account
   * (`deposit()`), or from the external wallet when one is in use (`depositFor(payer)`).
   */
  'pay.deposit': { params: { amount: string }; result: { hash: `0x${string}` } }
  /** Announces a withdrawal of `amount` wei (it unlocks after WITHDRAW_DELAY). */
  'pay.announceWithdraw': { params: { amount: string }; result: { hash: `0x${string}` } }
  /** Withdraws the announced amount once unlocked. */
  'pay.withdraw': { params: undefined; result: { hash: `0x${string}`; amount: string } }
  /** Cashes every received cheque with something to pay now (`cashBatch`). */
  'pay.cash': {
    params: undefined
    result: { hash: `0x${string}` | null; cheques: number; amount: string }
  }
  /** Claims what the Chequebook owes this account (a creator's royalties). */
  'pay.claim': { params: undefined; result: { hash: `0x${string}`; amount: string } }
  /**
   * Dev chains only (the end-to-end tests and benches): payer lines opened from now on
   * misbehave — `silent` never pays, `forge` flips a signature bit, `replay` resends its
   * first cheque, `underpay` pays one wei a slice; `none` is honest again. `credit`: the
   * slices this seeder serves ahead of payment on wires opened from now on.
   */
  'pay.debug': {
    params: PayDebug
    result: undefined
  }
}

/** `pay.debug`'s settings (at least one). */
export type PayDebug = {
  misbehave?: 'none' | 'silent' | 'forge' | 'replay' | 'underpay' | undefined
  credit?: number | undefined
}

/** Events the pay service sends the page (in NodeEvent). */
export type PayEvent =
  /** A cheque was signed (sent) or accepted (received); the overview changed. */
  | { kind: 'pay.cheque'; side: 'sent' | 'received'; cardId: `0x${string}`; cumulative: string }
  /** Paid fetching stopped or resumed (null). */
  | { kind: 'pay.stopped'; stopped: PayOverview['stopped'] }
  /** The chain view changed (a deposit, a cash, a withdrawal). */
  | { kind: 'pay.chain' }
