/**
 * The seeder's side of `hc_pay` on one wire (DESIGN §4.6): announce the terms, gate each new
 * slice on the credit rule (credit.ts), judge the payer's cheques, and keep a peer that owes
 * too much choked however often webtorrent decides to unchoke it.
 *
 * A slice is counted on this wire when the first block request of its piece is admitted
 * (extension.ts explains why the payer's count agrees). Later blocks of a counted piece are
 * served without asking again: a re-request after a failed hash, a lost store or a choke is
 * not charged twice.
 */
import type { Address } from 'viem'
import { logger } from '../log.ts'
import { judgeHello, type PayerView, SeederLine } from './credit.ts'
import type { ReceiptSource, WireLink } from './extensionLink.ts'
import type { SellerPort } from './ports.ts'
import type { PayHello, PayTerms, WireCheque } from './wire.ts'

const log = logger('pay:seller')

/** A valid hello binds the wire to one payer's line. */
type Bound = {
  payer: Address
  line: SeederLine
  check: (cumulative: bigint, signature: Uint8Array) => boolean
}

/** One wire's seeder side. Everything here is synchronous: no RPC, no storage wait. */
export class SellerSide {
  /** This node's terms on the wire; null when it cannot be paid (it then serves free). */
  readonly terms: PayTerms | null
  readonly #link: WireLink
  readonly #seller: SellerPort & ReceiptSource
  #bound: Bound | null = null
  /** Pieces counted as slices on this wire. */
  readonly #counted = new Set<number>()
  /** Choked for payment: webtorrent may not unchoke the peer until it can be served again. */
  #held = false
  #termsSent = false
  /** Served since the last accepted cheque, for the ledger. */
  #since = { slices: 0, bytes: 0 }

  constructor(link: WireLink, seller: SellerPort & ReceiptSource, terms: PayTerms | null) {
    this.#link = link
    this.#seller = seller
    this.terms = terms
  }

  /** Whether slices cost something here (then every new piece goes through the credit rule). */
  get priced(): boolean {
    return this.terms !== null && this.terms.price > 0n
  }

  /**
   * The peer's extended handshake arrived. An `hc_pay` peer gets the terms, once (price 0
   * too, so it knows it is free); a peer without it is held when slices are priced, since it
   * will never pay (a stock WebTorrent client).
   */
  onPeerHandshake(speaksPay: boolean): void {
    if (!this.terms) return
    if (speaksPay) {
      if (this.#termsSent) return
      this.#termsSent = true
      this.#link.send(this.terms)
    } else if (this.priced) this.#hold()
  }

  /**
   * Whether to answer a block request; called before webtorrent sees it. The first request of
   * a piece not counted yet asks the credit rule, and is counted when it may be served.
   */
  admit(index: number): boolean {
    if (this.#link.banned) return false
    if (!this.priced || this.#counted.has(index)) return true
    const bound = this.#bound
    if (!bound || !this.terms) {
      this.#hold()
      return false
    }
    const view = this.#seller.view(bound.payer, this.terms.cardId)
    const d = bound.line.decide(view)
    if (d.action === 'serve') {
      bound.line.served(view)
      this.#counted.add(index)
      this.#since.slices += 1
      return true
    }
    if (d.action === 'ban') this.#link.ban(d.reason)
    else {
      // A book not read yet is no spent balance: the payer waits for the read (onBookChange).
      if (d.reason === 'over_balance' && !this.#held && view.known !== false)
        this.#tellOverBalance(bound.line, view)
      this.#hold()
    }
    return false
  }

  /**
   * The payer's book cannot cover another slice: it hears so (a typed reject, no ban) once per
   * hold, so its Wallet can say "top up" rather than leave a silent stall. The value is what
   * is still uncommitted in its book as this seeder sees it.
   */
  #tellOverBalance(line: SeederLine, view: PayerView): void {
    const owedHere = line.held > view.paid ? line.held - view.paid : 0n
    const room = view.balance - view.uncashedElsewhere - owedHere
    this.#link.send({ type: 'reject', code: 'over_balance', value: room > 0n ? room : 0n })
  }

  /** webtorrent wants the peer unchoked (its interest, its periodic rechoke). */
  mayUnchoke(): boolean {
    if (this.#link.banned) return false
    if (!this.#held) return true
    // Re-asked each time: a top-up seen by log sync may have made room since.
    if (!this.#canServeNext()) return false
    this.#held = false
    return true
  }

  /** Bytes sent to the peer (bittorrent-protocol's `upload` event). */
  onUpload(bytes: number): void {
    this.#since.bytes += bytes
  }

  /**
   * The payer names itself. A hello for another card or chain is refused (not malice: a stale
   * card list, another network) and the peer stays unserved on priced slices; a second hello
   * on the wire is malformed. A receipt follows when the seller holds a cheque on the line.
   */
  onHello(h: PayHello): void {
    const terms = this.terms
    if (!terms) return
    if (this.#bound) {
      this.#link.rejectAndBan('malformed')
      return
    }
    const wrong = judgeHello(h, terms)
    if (wrong) {
      this.#link.send({ type: 'reject', ...wrong })
      if (this.priced) this.#hold()
      return
    }
    const line = new SeederLine({
      price: terms.price,
      credit: terms.credit,
      held: this.#seller.held(h.payer, terms.cardId),
    })
    line.onHello()
    this.#bound = { payer: h.payer, line, check: this.#seller.verifier(h.payer, terms.cardId) }
    // A payer first seen has balance 0 until its book is read: held for that, it is served
    // the moment the read (or a top-up) arrives.
    const off = this.#seller.onBookChange?.(h.payer, () => this.#release())
    if (off) this.#link.wire.once('close', off)
    const newest = this.#seller.newestCheque?.(h.payer, terms.cardId)
    if (newest) this.#link.send({ type: 'receipt', cheque: newest })
    this.#release()
  }

  /**
   * A cheque: its signature is checked (no RPC), then the credit rule judges it. Accepted, it
   * goes to the seller and may unchoke the peer; refused, the peer hears why, and is banned
   * when the outcome says so (bad signature, replay, underpayment) or held (over balance).
   */
  onCheque(c: WireCheque): void {
    const bound = this.#bound
    if (!bound || !this.terms) {
      this.#link.rejectAndBan('malformed')
      return
    }
    const view = this.#seller.view(bound.payer, this.terms.cardId)
    const valid = bound.check(c.cumulative, c.signature)
    const out = bound.line.onCheque(c.cumulative, valid, view)
    if (out.accepted) {
      this.#accept(bound.payer, c)
      return
    }
    this.#link.send({ type: 'reject', code: out.code, value: out.value })
    if (out.ban) this.#link.ban(out.code)
    else this.#hold()
  }

  #accept(payer: Address, c: WireCheque): void {
    const served = this.#since
    this.#since = { slices: 0, bytes: 0 }
    const cheque = { cumulative: c.cumulative, signature: c.signature }
    this.#seller
      .accepted(payer, (this.terms as PayTerms).cardId, cheque, served)
      .catch((err: Error) => log.warn('%s: storing a cheque failed: %s', payer, err.message))
    this.#release()
  }

  /** Whether the credit rule would serve one more slice now. */
  #canServeNext(): boolean {
    const bound = this.#bound
    if (!bound || !this.terms) return false
    return bound.line.decide(this.#seller.view(bound.payer, this.terms.cardId)).action === 'serve'
  }

  #hold(): void {
    this.#held = true
    this.#link.wire.choke()
  }

  /** Unchokes a held peer once it may be served again (and wants to be). */
  #release(): void {
    if (!this.#held || !this.#canServeNext()) return
    this.#held = false
    if (this.#link.wire.peerInterested) this.#link.wire.unchoke()
  }
}
