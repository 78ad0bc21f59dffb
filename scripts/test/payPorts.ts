/**
 * In-memory pay ports for unit tests of the `hc_pay` extension: a seller and a buyer that keep
 * in maps what the pay service keeps in its ledger and log sync, around the real rules (the
 * extension's SeederLine and PayerLine), real cheque signing (a viem local account) and real
 * verification (cheques.ts).
 */
import type { Address, Hex, LocalAccount } from 'viem'
import {
  type ChequeLine,
  createChequeVerifier,
  signChequeBytes,
} from '../../src/node/pay/cheques.ts'
import type { PayerView } from '../../src/node/pay/credit.ts'
import type { ReceiptSource } from '../../src/node/pay/extensionLink.ts'
import type { BuyerPort, PayTorrent, SellerPort } from '../../src/node/pay/ports.ts'
import {
  judgeTerms,
  PayerLine,
  SpendBudget,
  type SpendLimits,
  type TermsVerdict,
} from '../../src/node/pay/spend.ts'
import type { PayHello, PayTerms, RejectCode, WireCheque } from '../../src/node/pay/wire.ts'

/** The chain and card both sides deal on. */
export type Market = { chainId: number; chequebook: Address; cardId: Hex }

/** What a seller offers on its wires, or null when it cannot be paid. */
export type Offer = { price: bigint; credit: number } | null

/** A seller whose ledger is a map of the newest cheque per payer. */
export class MemorySeller implements SellerPort, ReceiptSource {
  readonly market: Market
  readonly payee: Address
  readonly offer: Offer
  /** The payer's chequebook balance as log sync would see it. */
  balance = 10n ** 18n
  /** Whether log sync has read the payer's book yet (until then its balance counts as 0). */
  known = true
  /** The newest cheque held per payer (lowercase). */
  readonly cheques = new Map<string, WireCheque>()
  readonly accepts: {
    payer: Address
    cheque: WireCheque
    served: { slices: number; bytes: number }
  }[] = []
  readonly bans: { peerId: string; reason: RejectCode }[] = []
  readonly #verifier = createChequeVerifier()
  readonly #bookWatchers = new Set<() => void>()

  constructor(market: Market, payee: Address, offer: Offer) {
    this.market = market
    this.payee = payee
    this.offer = offer
  }

  terms(_t: PayTorrent): PayTerms | null {
    if (!this.offer) return null
    const { chainId, chequebook, cardId } = this.market
    return { type: 'terms', chainId, chequebook, payee: this.payee, cardId, ...this.offer }
  }
  held(payer: Address): bigint {
    return this.cheques.get(payer.toLowerCase())?.cumulative ?? 0n
  }
  view(_payer: Address): PayerView {
    return {
      balance: this.known ? this.balance : 0n,
      paid: 0n,
      uncashedElsewhere: 0n,
      known: this.known,
    }
  }
  verifier(payer: Address, cardId: Hex) {
    const { chainId, chequebook } = this.market
    return this.#verifier.forLine({ chainId, chequebook, payer, payee: this.payee, cardId })
  }
  async accepted(
    payer: Address,
    _cardId: Hex,
    cheque: WireCheque,
    served: { slices: number; bytes: number },
  ): Promise<void> {
    this.cheques.set(payer.toLowerCase(), cheque)
    this.accepts.push({ payer, cheque, served })
  }
  banned(_t: PayTorrent, peerId: string, reason: RejectCode): void {
    this.bans.push({ peerId, reason })
  }
  onBookChange(_payer: Address, fn: () => void): () => void {
    this.#bookWatchers.add(fn)
    return () => this.#bookWatchers.delete(fn)
  }
  /** Log sync saw the payer's book change: its balance is now `balance`. */
  setBalance(balance: bigint): void {
    this.balance = balance
    this.known = true
    for (const fn of [...this.#bookWatchers]) fn()
  }
  newestCheque(payer: Address): WireCheque | null {
    return this.cheques.get(payer.toLowerCase()) ?? null
  }
}

/** A buyer whose ledger is a map of the newest cheque signed per payee. */
export class MemoryBuyer implements BuyerPort {
  readonly account: LocalAccount
  readonly market: Market
  readonly budget: SpendBudget
  /** The `sent` ledger: newest cheque per payee (lowercase). */
  readonly ledger = new Map<string, WireCheque>()
  readonly stops: ({ code: RejectCode; value: bigint } | { cap: string })[] = []
  readonly #lines = new Map<string, Promise<PayerLine>>()
  readonly #verifier = createChequeVerifier()

  constructor(account: LocalAccount, market: Market, limits: SpendLimits) {
    this.account = account
    this.market = market
    this.budget = new SpendBudget({ limits, spentToday: 0n })
  }

  /** The cheque line this buyer signs on toward `terms.payee`. */
  chequeLine(terms: PayTerms): ChequeLine {
    const { chainId, chequebook } = this.market
    return {
      chainId,
      chequebook,
      payer: this.account.address,
      payee: terms.payee,
      cardId: terms.cardId,
    }
  }
  hello(_t: PayTorrent, terms: PayTerms): PayHello {
    const { chainId } = this.market
    return { type: 'hello', chainId, cardId: terms.cardId, payer: this.account.address }
  }
  judge(t: PayTorrent, terms: PayTerms): TermsVerdict {
    const { chainId, chequebook } = this.market
    const cardId = t.cardId ?? this.market.cardId
    return judgeTerms(terms, { chainId, chequebook, cardId }, this.budget.limits)
  }
  line(_t: PayTorrent, terms: PayTerms): Promise<PayerLine> {
    const key = terms.payee.toLowerCase()
    let line = this.#lines.get(key)
    if (!line) {
      const chequeLine = this.chequeLine(terms)
      line = Promise.resolve(
        new PayerLine({
          cardId: terms.cardId,
          price: terms.price,
          signed: this.ledger.get(key)?.cumulative ?? 0n,
          sign: (cumulative) => signChequeBytes(this.account, chequeLine, cumulative),
          persist: async (c) => {
            this.ledger.set(key, { cumulative: c.cumulative, signature: c.signature })
          },
          budget: this.budget,
        }),
      )
      this.#lines.set(key, line)
    }
    return line
  }
  ownCheque(_t: PayTorrent, terms: PayTerms, cheque: WireCheque): boolean {
    const check = this.#verifier.forLine(this.chequeLine(terms))
    return check(cheque.cumulative, cheque.signature)
  }
  stopped(_t: PayTorrent, why: { code: RejectCode; value: bigint } | { cap: string }): void {
    this.stops.push(why)
  }
}
