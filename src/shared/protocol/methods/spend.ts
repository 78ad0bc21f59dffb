/**
 * Confirming a spend (issue #18): a method that may send a transaction from the person's
 * account, called with `confirm` (src/ui/lib/rpc-client.ts `spend`), makes the node stop right
 * before sending, after simulating it, and ask that page with a `spend.confirm` event carrying
 * a {@link SpendQuote}; the page shows it and answers `spend.answer`. Declined: nothing is sent
 * (`UserRejectedError`). Wei amounts are decimal strings.
 */

/** Which of the app's contracts a transaction calls. */
export type SpendContract = 'cardRegistry' | 'keyMarket' | 'chequebook' | 'other'

/** What the node is about to send. */
export type SpendQuote = {
  contract: SpendContract
  /** The contract function: `buy`, `react`, `post`, `list`, `deposit`, … */
  action: string
  /** What the transaction pays besides the fee (a price, a deposit); '0' when nothing. */
  value: string
  /** The gas estimate (viem `estimateContractGas`) and the chain's gas price. */
  gas: string
  gasPrice: string
  /** gas × gasPrice: the network fee, estimated. */
  fee: string
  /** The paying account and its balance now. */
  from: `0x${string}`
  balance: string
}

/** The node's side of the question: resolves true to send, false to send nothing. */
export type ConfirmSpend = (quote: SpendQuote) => Promise<boolean>

/**
 * The methods that may send a transaction from the person's account. The page calls them only
 * through `RpcClient.spend`, which always asks (its `call` does not accept them), so no UI path
 * sends without a confirmation. Tests and tools may still call them unconfirmed over the wire.
 */
export const SPEND_METHODS = [
  'feed.publish',
  'feed.react',
  'feed.follow',
  'keys.list',
  'keys.buy',
  'keys.refund',
  'keys.transfer',
  'keys.offer',
  'keys.buyOffered',
  'keys.requestKey',
  'wallet.claim',
  'pay.deposit',
  'pay.announceWithdraw',
  'pay.withdraw',
  'pay.cash',
  'pay.claim',
] as const

export type SpendMethod = (typeof SPEND_METHODS)[number]

export type SpendMethods = {
  /** The page's answer to the `spend.confirm` event `id`: send (`ok`) or send nothing. */
  'spend.answer': { params: { id: number; ok: boolean }; result: undefined }
}
