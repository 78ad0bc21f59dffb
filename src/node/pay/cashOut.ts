/**
 * Cashing what this node holds (DESIGN §4.6): the received lines with something left, each
 * capped by what its payer's book holds, planned by cashPolicy.ts and sent as one `cashBatch`
 * (src/node/chain/cashChequeBatch.ts) from the node's own account. On demand it cashes
 * whatever is worth its own gas; by policy only once what is owed passes a multiple of the
 * batch's gas cost — or at once when a payer announced a withdrawal, which would otherwise
 * leave with the money. One cash-out runs at a time.
 */
import type { Hex } from 'viem'
import type { WriteOptions } from '../chain/_write.ts'
import { cashChequeBatch } from '../chain/cashChequeBatch.ts'
import type { ChainContext } from '../chain/clients.ts'
import type { PayerBook } from './book.ts'
import { type CashPlan, type OwedLine, planCashOut } from './cashPolicy.ts'
import { CASH_PENDING_MS, GAS_PRICE_TTL_MS } from './constants.ts'
import type { LedgerLine } from './ledger.ts'
import { type LineBook, lineId } from './lines.ts'

/** A line to cash, with its newest cheque. */
export type OwedEntry = OwedLine & { cumulative: bigint; signature: Hex }

/** What a cash-out did (`hash` null: nothing was worth sending). */
export type CashResult = { hash: Hex | null; cheques: number; amount: bigint; royalty: bigint }

/** `onDemand`: the person asked (cash whatever is owed); `confirm`: ask them before sending. */
export type CashParams = Pick<WriteOptions, 'signal' | 'confirm'> & { onDemand: boolean }

export type CashOutComponents = {
  /** Sends the batch: the node's own account pays the gas. */
  chain: ChainContext
  lines: LineBook
  book: PayerBook
  /** A log sync pass, so the ledger reconciles the cash at once where confirmations allow. */
  syncNow(): Promise<void>
  /** Cash when owed ≥ multiple × gas cost (cashPolicy.ts default 10). */
  multiple?: bigint
  now?: () => number
}

const NOTHING: CashResult = { hash: null, cheques: 0, amount: 0n, royalty: 0n }

/** The cash-out runner; see the module comment. */
export class CashOut {
  readonly #c: CashOutComponents
  /** Lines just cashed, left out until log sync shows the cash (or a while passed). */
  readonly #pending = new Map<string, { cashed: bigint; at: number }>()
  #gas: { price: bigint; at: number } | null = null
  #running: Promise<unknown> = Promise.resolve()

  constructor(c: CashOutComponents) {
    this.#c = c
  }

  /** After a reorg: what was cashed is re-based, so no line waits for its cash to show. */
  forgetPending(): void {
    this.#pending.clear()
  }

  /** The gas price, read at most every GAS_PRICE_TTL_MS. */
  async gasPrice(): Promise<bigint> {
    const now = this.#now()
    if (this.#gas && now - this.#gas.at < GAS_PRICE_TTL_MS) return this.#gas.price
    const price = await this.#c.chain.publicClient.getGasPrice()
    this.#gas = { price, at: now }
    return price
  }

  /** The lines worth cashing now and what that would cost. */
  async plan(onDemand: boolean): Promise<CashPlan<OwedEntry>> {
    const entries = this.#owed()
    const urgent = entries.some((e) => (this.#c.book.account(e.payer)?.unlockAt ?? 0) > 0)
    return planCashOut(entries, {
      gasPrice: await this.gasPrice(),
      onDemand: onDemand || urgent,
      ...(this.#c.multiple === undefined ? {} : { multiple: this.#c.multiple }),
    })
  }

  /**
   * Cashes what the plan says, after any cash-out in flight. Chain errors are thrown (the
   * policy's caller logs them; the user's sees them).
   */
  cash(p: CashParams): Promise<CashResult> {
    const run = this.#running.then(() => this.#cashNow(p))
    this.#running = run.catch(() => undefined)
    return run
  }

  async #cashNow(p: CashParams): Promise<CashResult> {
    const plan = await this.plan(p.onDemand)
    if (!plan.cash) return NOTHING
    const res = await cashChequeBatch(this.#c.chain, {
      entries: plan.entries.map((e) => ({
        cheque: { payer: e.payer, payee: e.payee, cardId: e.cardId, cumulative: e.cumulative },
        signature: e.signature,
      })),
      ...(p.signal ? { signal: p.signal } : {}),
      ...(p.confirm ? { confirm: p.confirm } : {}),
    })
    const at = this.#now()
    for (const c of res.cashed) {
      const e = plan.entries[c.index]
      const line = e && this.#c.lines.get('received', e)
      if (line) this.#pending.set(lineId('received', line), { cashed: line.cashed, at })
    }
    await this.#c.syncNow()
    return {
      hash: res.hash,
      cheques: res.cashed.length,
      amount: res.total,
      royalty: res.cashed.reduce((s, c) => s + c.royalty, 0n),
    }
  }

  /** Received lines with something left, capped by their payer's balance. */
  #owed(): OwedEntry[] {
    const out: OwedEntry[] = []
    for (const l of this.#c.lines.owed()) {
      if (this.#isPending(l)) continue
      let owed = l.cumulative - l.cashed
      // The contract pays at most the balance; the rest waits for a deposit.
      const balance = this.#c.book.account(l.payer)?.balance
      if (balance !== undefined && balance < owed) owed = balance
      out.push({
        payer: l.payer,
        payee: l.payee,
        cardId: l.cardId,
        owed,
        renewed: l.cashed > 0n,
        cumulative: l.cumulative,
        signature: l.signature,
      })
    }
    return out
  }

  #isPending(l: LedgerLine): boolean {
    const id = lineId('received', l)
    const p = this.#pending.get(id)
    if (!p) return false
    if (l.cashed === p.cashed && this.#now() - p.at < CASH_PENDING_MS) return true
    this.#pending.delete(id)
    return false
  }

  #now(): number {
    return (this.#c.now ?? Date.now)()
  }
}
