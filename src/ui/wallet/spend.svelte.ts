/**
 * The page's side of confirming spends (src/shared/protocol/methods/spend.ts): the node's
 * `spend.confirm` events queue here, each named by what its request is for (`RpcClient.spend`),
 * and ConfirmSpend.svelte shows the first and answers it. One instance per node client.
 */
import type { SpendQuote } from '../../shared/protocol/methods/spend.ts'
import type { RpcClient } from '../lib/rpc-client.ts'

/** A question from the node: send this transaction? */
export type SpendAsk = { id: number; what: string; quote: SpendQuote }

/** What each contract function does, as a heading of the confirmation. */
const ACTIONS: Record<string, string> = {
  post: 'Post on the chain',
  list: 'Put keys on sale',
  buy: 'Buy a key',
  buyOffered: 'Buy a resold key',
  react: 'React',
  follow: 'Follow',
  unfollow: 'Unfollow',
  refund: 'Take the price back',
  transferWithFee: 'Give the key away',
  offer: 'Offer the key for resale',
  cancelOffer: 'Withdraw the resale offer',
  requestKey: 'Ask for the key again',
  claim: 'Claim what you are owed',
  deposit: 'Deposit into your chequebook',
  depositFor: 'Deposit into your chequebook',
  announceWithdraw: 'Announce a withdrawal',
  withdraw: 'Withdraw',
  cashBatch: 'Cash your cheques',
}

/** The heading for a quote's action. */
export function actionText(action: string): string {
  return ACTIONS[action] ?? 'Send a transaction'
}

/** The queue of questions; the first is shown. */
export class SpendGate {
  asks = $state.raw<SpendAsk[]>([])

  constructor(private readonly rpc: RpcClient) {}

  get current(): SpendAsk | null {
    return this.asks[0] ?? null
  }

  /** Listens for the node's questions; returns the stop function (for `$effect`). */
  start(): () => void {
    return this.rpc.onEvent((e) => {
      if (e.kind !== 'spend.confirm') return
      const what = this.rpc.spendOf(e.request) ?? 'A transaction from your account'
      this.asks = [...this.asks, { id: e.id, what, quote: e.quote }]
    })
  }

  /** Answers the shown question: send (`ok`) or send nothing. */
  async answer(ok: boolean): Promise<void> {
    const ask = this.current
    if (!ask) return
    this.asks = this.asks.slice(1)
    await this.rpc.call('spend.answer', { id: ask.id, ok }).catch(() => {})
  }
}
