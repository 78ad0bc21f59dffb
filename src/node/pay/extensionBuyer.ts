/**
 * The payer's side of `hc_pay` on one wire (DESIGN §4.6): judge the seeder's terms, name the
 * payer, note which pieces the wire sent blocks of, and pay one cheque per verified piece per
 * wire, or one per batch of them when cheques back up. Its price (Infinity when the wire must
 * not be asked), its credit check and the pieces it may be asked for at its credit are what
 * the picker reads.
 */
import { SpendingCapError } from '../../shared/errors/pay.ts'
import { logger } from '../log.ts'
import { BuyerTrace } from './buyerTrace.ts'
import { creditFor } from './credit.ts'
import type { WireLink } from './extensionLink.ts'
import type { BuyerPort } from './ports.ts'
import type { PayerLine } from './spend.ts'
import type { PayReceipt, PayReject, PayTerms } from './wire.ts'

const log = logger('pay:buyer')
const NONE: ReadonlySet<number> = new Set()

/** One wire's payer side. */
export class BuyerSide {
  readonly #link: WireLink
  readonly #buyer: BuyerPort
  #terms: PayTerms | null = null
  #line: Promise<PayerLine> | null = null
  /** Why this wire must not be asked (its terms, a reject, no line), or null. */
  #refused: string | null = null
  /** Pieces this node requested blocks of on this wire: only those blocks are paid for. */
  readonly #asked = new Set<number>()
  /** Pieces the wire sent a block of, waiting for their piece to verify. */
  readonly #sent = new Set<number>()
  /** Pieces paid for on this wire (once each). */
  readonly #paid = new Set<number>()
  /** Pieces whose cheque has gone out on the wire (what the seeder will have seen paid). */
  readonly #settled = new Set<number>()
  /**
   * Pieces asked and not settled: what the seeder counts against our credit. Kept beside the
   * two sets above so the picker's check, made for every request, does not walk them.
   */
  readonly #open = new Set<number>()
  /** Verified pieces waiting for the next cheque, which pays for them all (see `#pay`). */
  readonly #unpaid: number[] = []
  /** Slices paid by the cheques sent on this wire: the seeder's credit grows by one for each. */
  #paidOnWire = 0
  /** Cheques and receipts in order: a seeder bans a cumulative below one it holds. */
  #queue: Promise<void> = Promise.resolve()
  /** The window's debug trace (buyerTrace.ts), null unless `hashcard:pay:trace` is on. */
  readonly #trace: BuyerTrace | null

  constructor(link: WireLink, buyer: BuyerPort) {
    this.#link = link
    this.#buyer = buyer
    this.#trace = BuyerTrace.start({
      peerId: () => link.peerId,
      onWire: () => new Set((link.wire.requests ?? []).map((r) => r.piece)),
      blocksOut: () => link.wire.requests?.length ?? 0,
      counted: () => (this.#priced() ? this.#open : null),
      credit: () => this.#credit(),
    })
    if (this.#trace) link.wire.once('close', () => this.#trace?.stop())
  }

  #priced(): boolean {
    return (this.#terms?.price ?? 0n) > 0n
  }

  /** The seeder's credit on this wire now, as the payer counts it; Infinity when free. */
  #credit(): number {
    const terms = this.#terms
    if (!terms || terms.price === 0n) return Number.POSITIVE_INFINITY
    return creditFor(terms.credit, this.#paidOnWire)
  }

  /** Wei per slice on this wire: 0 when free or unpriced, Infinity when it must not be asked. */
  price(): number {
    if (this.#refused) return Number.POSITIVE_INFINITY
    const p = this.#terms?.price ?? 0n
    if (p === 0n) return 0
    if (this.#link.ctx.capped()) return Number.POSITIVE_INFINITY
    return Number(p)
  }

  /**
   * Whether the picker may ask this wire for a block of `index`: always on a free wire and for
   * a piece already asked; a new piece only while the pieces asked and not yet paid for (their
   * cheque sent) stay under the seeder's credit, as it grows with the cheques sent on this
   * wire (credit.ts). Asking for more would only get the requests refused and the wire choked
   * until the next cheque — a round trip lost per slice.
   */
  mayAsk(index: number): boolean {
    if (!this.#priced() || this.#asked.has(index)) return true
    const may = this.#open.size < this.#credit()
    this.#trace?.ask(may)
    return may
  }

  /**
   * The only pieces the picker may ask this wire for now, or null when any piece may be
   * asked (a free wire, or a priced one below its credit). At the credit they are the pieces
   * asked and not yet paid for (a new piece would be refused); a wire never to be asked has
   * none. The picker then looks among these few instead of walking every piece rarest-first
   * for each request slot the credit refuses (swarm/picker.ts).
   */
  askable(): ReadonlySet<number> | null {
    if (this.price() === Number.POSITIVE_INFINITY) return NONE
    if (!this.#priced() || this.#open.size < this.#credit()) return null
    return this.#open
  }

  /**
   * The seeder's terms (the first ones count). Free terms need nothing. Priced terms are
   * judged (chain, chequebook, card, the user's maximum price); taken, the payer says hello
   * and its line is opened; refused, the wire is not asked.
   */
  onTerms(terms: PayTerms): void {
    if (this.#terms) return
    this.#terms = terms
    if (terms.price === 0n) return
    const { t } = this.#link.ctx
    const verdict = this.#buyer.judge(t, terms)
    if (!verdict.ok) {
      this.#refuse(verdict.reason)
      return
    }
    const hello = this.#buyer.hello(t, terms)
    if (!hello) {
      this.#refuse('this node cannot pay')
      return
    }
    this.#link.payingPrice = terms.price
    this.#link.send(hello)
    const line = this.#buyer.line(t, terms)
    line.catch((err: Error) => this.#refuse(`no payer line: ${err.message}`))
    this.#line = line
    this.#link.ctx.priceChanged()
  }

  /** The newest cheque the seeder holds from us: adopted when it is ours and newer. */
  onReceipt(r: PayReceipt): void {
    const terms = this.#terms
    const line = this.#line
    const cheque = r.cheque
    if (!cheque || !terms || !line) return
    const own = this.#buyer.ownCheque(this.#link.ctx.t, terms, cheque)
    this.#enqueue(async () => (await line).adoptReceipt(cheque, own))
  }

  /** The seeder refused a cheque or the hello; the page hears why. */
  onReject(r: PayReject): void {
    if (!this.#terms) return
    this.#buyer.stopped(this.#link.ctx.t, { code: r.code, value: r.value })
    // Over balance is a choke, not a ban: after a top-up the seeder serves again.
    if (r.code !== 'over_balance') this.#refuse(`rejected: ${r.code}`)
  }

  /** This node requested a block of `index` on the wire. */
  onRequest(index: number): void {
    this.#trace?.request(index)
    this.#asked.add(index)
    if (!this.#settled.has(index)) this.#open.add(index)
  }

  /**
   * A block of `index` arrived. Only blocks this node asked for count. A block of a piece that
   * verified already (it came late, after the piece was re-requested elsewhere) is paid now.
   */
  onBlock(index: number): void {
    if (!this.#asked.has(index) || this.#paid.has(index)) return
    this.#trace?.block(index)
    if (this.#link.ctx.isVerified(index)) this.#pay(index)
    else this.#sent.add(index)
  }

  /**
   * Piece `index` verified: paid for if this wire sent a block of it; if it sent none (the
   * piece came from elsewhere), nothing is owed for it here and it no longer counts as asked.
   */
  verified(index: number): void {
    this.#trace?.checked(index)
    if (!this.#priced()) this.#trace?.settled(index)
    if (this.#sent.has(index)) this.#pay(index)
    else if (!this.#paid.has(index)) {
      this.#asked.delete(index)
      this.#open.delete(index)
    }
  }

  /**
   * Pays for verified piece `index`. Pieces that verify while the line is still busy with
   * the previous cheque (recording it, signing the next one ahead) wait in `#unpaid`, and
   * the next cheque pays for all of them at once: one signature and one ledger write for the
   * batch instead of one each, so a backlog of cheques drains instead of growing.
   */
  #pay(index: number): void {
    this.#sent.delete(index)
    if (this.#paid.has(index)) return
    this.#paid.add(index)
    const line = this.#line
    if (!line || this.#refused || this.#link.ctx.capped()) return
    this.#unpaid.push(index)
    if (this.#unpaid.length > 1) return // the cheque queued already pays for this one too
    this.#enqueue(async () => {
      const l = await line
      await l.settled() // the previous cheque's work: pieces verified meanwhile join this one
      const pieces = this.#unpaid.splice(0)
      const cheque = await l.onSliceVerified(pieces.length)
      if (cheque) {
        this.#link.send(cheque)
        this.#paidOnWire += pieces.length
      }
      for (const i of pieces) {
        this.#settled.add(i)
        this.#open.delete(i)
        this.#trace?.settled(i)
      }
      this.#trace?.cheque(pieces.length)
      this.#link.ctx.priceChanged() // room for the next pieces on this wire
    })
  }

  /** Runs `job` after the previous ones; a cap stops paid fetching, other failures this wire. */
  #enqueue(job: () => Promise<void>): void {
    this.#queue = this.#queue.then(job).catch((err: unknown) => {
      if (err instanceof SpendingCapError) this.#link.ctx.capReached(err.shortMessage)
      else this.#refuse(`paying failed: ${(err as Error).message}`)
    })
  }

  #refuse(why: string): void {
    if (this.#refused) return
    this.#refused = why
    log('%s not asked: %s', this.#link.peerId, why)
    this.#link.ctx.priceChanged()
  }
}
