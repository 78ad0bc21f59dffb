/**
 * The seeder's side of one `hc_pay` wire (DESIGN §4.6): what this peer owes, whether to serve
 * it the next slice, and what to answer to its cheques. Pure and synchronous: the signature
 * check is done by the caller (cheques.ts) and the chain view is passed in, so there is no I/O
 * and no RPC on the hot path.
 *
 * The credit rule: the peer may hold at most {@link creditFor}`(credit, paid)` slices it has
 * not paid for — `credit` on a new wire, one more for each slice paid on the wire, up to
 * {@link CREDIT_GROWTH} × `credit` — and every slice served must be covered by what the
 * payer's book can still pay, counting every uncashed cheque this node holds from that payer
 * (other cards and payees included).
 *
 * The loss bounds, per wire: the slices served and not paid for are at most
 * `min(CREDIT_GROWTH × credit, credit + paid)`, `paid` being the slices paid on the wire. So
 * unpaid − paid ≤ `credit` at every moment: a payer that never pays gets `credit` slices, and
 * one that stops paying at any point leaves at most `CREDIT_GROWTH × credit` slices unpaid
 * (32 at the default credit of 2: 8 MiB of 256 KiB slices), and only after paying for at
 * least that many minus `credit` on the same wire. Net of what it was paid on the wire, a
 * seeder never loses more than `credit` slices.
 *
 * Why the credit grows: one slice in flight per credit. A credit of 2 × 256 KiB is below the
 * bandwidth-delay product of a WebRTC DataChannel (a request and its slice spend tens to
 * hundreds of milliseconds in flight and in the seeder's send queue), so a fixed credit of 2
 * held a paid transfer to 0.78 of a free one (bench `pay`, session 8). Growing by one per
 * paid slice doubles the window each round trip, as TCP's slow start does, while a stranger
 * still gets only `credit`.
 *
 * Why up to 16 × and not 8 ×: the payer counts a piece from its request until its cheque
 * leaves, and a free wire is bounded only by its 64 block requests (16–17 pieces of four
 * blocks on the wire). A payer trace (`hashcard:pay:trace`, buyerTrace.ts) at a cap of 16
 * slices found the wire at its credit 85–100 % of the time, with 14–15.8 pieces on the wire
 * against 16.4–17 on a free one, the rest waiting for their cheque (0–2.2 on average, up to
 * 1.6 s at p90 on a loaded machine) — hashing and authenticating took 1–2 ms, no share of
 * the window. At the credit, webtorrent's rarest-first walks every piece for each request
 * slot the credit refuses (100–300 ms of the payer's worker per 5 s, against 2–50 free). A
 * cap of 32 leaves room for a free wire's 64 blocks plus a backlog of cheques, so the paid
 * window is bounded by the same request pipeline as a free one.
 */
import { InternalError } from '../../shared/errors/common.ts'
import type { RejectCode } from './wire.ts'

/** How far a wire's credit may grow with payment: at most this many times the terms' credit. */
export const CREDIT_GROWTH = 16

/**
 * The credit on a wire after `paidSlices` slices were paid on it: `credit + paidSlices`, at
 * most `CREDIT_GROWTH × credit`. Seeder and payer both compute it, each from what it counts
 * (the seeder from cheques accepted, the payer from cheques sent: ordered on the wire, and a
 * cheque never adds less than one slice's price, so the payer never counts more than the
 * seeder does).
 * @example creditFor(2, 0) // 2; creditFor(2, 5) // 7; creditFor(2, 100) // 32
 */
export function creditFor(credit: number, paidSlices: number): number {
  return Math.min(credit * CREDIT_GROWTH, credit + paidSlices)
}

/** The larger of two amounts (Math.max does not take bigints). */
function larger(a: bigint, b: bigint): bigint {
  if (a > b) return a
  return b
}

/** The chain's view of a payer, from log sync (cached; never fetched here). */
export type PayerView = {
  /** The payer's chequebook balance minus any announced withdrawal (treated as gone). */
  balance: bigint
  /** `paidOf(payer, payee, cardId)` for this wire's line. */
  paid: bigint
  /** Held but uncashed on every *other* line of this payer: Σ (newest cheque − paid). */
  uncashedElsewhere: bigint
  /**
   * False while the payer's book has not been read yet (its balance then counts as 0): the
   * payer is held, but not told its balance is spent. Absent: known.
   */
  known?: boolean
}

/** The verdict for the next slice. */
export type ServeDecision =
  | { action: 'serve' }
  | { action: 'choke'; reason: 'no_payer' | 'awaiting_payment' | 'over_balance' }
  | { action: 'ban'; reason: RejectCode }

/** The answer to a cheque: keep it (and cash it later), or refuse it. */
export type ChequeOutcome =
  | { accepted: true; cumulative: bigint }
  | { accepted: false; code: RejectCode; value: bigint; ban: boolean }

export type SeederLineInit = {
  /** Wei per slice on this wire (0 = free). */
  price: bigint
  /** Slices served ahead of payment on a new wire (it grows with payment: {@link creditFor}). */
  credit: number
  /** The newest cumulative already held on this line (from the ledger), 0 if none. */
  held: bigint
}

/**
 * One wire's accounting, seeder side. Call {@link SeederLine.decide} before sending a slice,
 * {@link SeederLine.served} after, and {@link SeederLine.onCheque} for each verified cheque.
 * @example
 * const line = new SeederLine({ price, credit: 2, held })
 * line.onHello()
 * if (line.decide(view).action === 'serve') { send(piece); line.served() }
 */
export class SeederLine {
  readonly price: bigint
  readonly credit: number
  /** What was held when the wire opened: cheques for earlier service on this line. */
  readonly base: bigint
  #held: bigint
  #served = 0
  #hello = false
  #ban: RejectCode | null = null

  constructor(init: SeederLineInit) {
    if (init.price < 0n || init.held < 0n || !Number.isInteger(init.credit) || init.credit < 0)
      throw new InternalError('A seeder line needs a price, credit and held amount ≥ 0.')
    this.price = init.price
    this.credit = init.credit
    this.base = init.held
    this.#held = init.held
  }

  /** The newest cumulative accepted on this line. */
  get held(): bigint {
    return this.#held
  }
  /** Slices paid on this wire: what its accepted cheques added, in whole slices. */
  get paidSlices(): number {
    if (this.price === 0n) return 0
    return Number((this.#held - this.base) / this.price)
  }
  /** The unpaid slices the peer may hold now (the credit rule). */
  get creditNow(): number {
    return creditFor(this.credit, this.paidSlices)
  }
  /** Slices served on this wire. */
  get servedSlices(): number {
    return this.#served
  }
  /** Why the peer is banned, or null. */
  get banned(): RejectCode | null {
    return this.#ban
  }

  /** Wei due for what this wire served, on top of `base`. */
  #due(): bigint {
    return this.base + BigInt(this.#served) * this.price
  }

  /**
   * Slices served but not paid for: `ceil((due − held) / price)`. A payer that paid ahead
   * (cumulative above what is due) has 0.
   */
  unpaidSlices(): number {
    return this.#slicesOwed(this.#due())
  }

  /** The peer sent a valid hello for this card and chain (a stock client never does). */
  onHello(): void {
    this.#hello = true
  }

  /** Bans the peer for this torrent (a malformed message, a wrong card after warning, ...). */
  ban(reason: RejectCode): void {
    this.#ban ??= reason
  }

  /** Whether the next slice may be sent. */
  decide(view: PayerView): ServeDecision {
    if (this.#ban) return { action: 'ban', reason: this.#ban }
    if (this.price === 0n) return { action: 'serve' }
    if (!this.#hello) return { action: 'choke', reason: 'no_payer' }
    const dueAfter = this.#due() + this.price
    if (this.#slicesOwed(dueAfter) > this.creditNow)
      return { action: 'choke', reason: 'awaiting_payment' }
    // Everything this node would then be owed by the payer must fit in its book: the larger
    // of what it holds in cheques and what it will have served on this line.
    const exposure = this.#exposure(view, larger(dueAfter, this.#held))
    if (exposure > view.balance) return { action: 'choke', reason: 'over_balance' }
    return { action: 'serve' }
  }

  /** Whole slices (rounded up) that `due` exceeds the newest cheque by. */
  #slicesOwed(due: bigint): number {
    const owed = due - this.#held
    if (owed <= 0n || this.price === 0n) return 0
    return Number((owed + this.price - 1n) / this.price)
  }

  /** What the payer would owe this node in total if this line stood at `lineTotal`. */
  #exposure(view: PayerView, lineTotal: bigint): bigint {
    // A paidOf above the line's total (a cash seen before its cheque) counts as the total.
    let paid = view.paid
    if (paid > lineTotal) paid = lineTotal
    return view.uncashedElsewhere + (lineTotal - paid)
  }

  /**
   * Records a slice sent. Throws `InternalError` if {@link decide} would not have allowed it:
   * the credit bound is enforced here too, not only advised.
   */
  served(view: PayerView): void {
    const d = this.decide(view)
    if (d.action !== 'serve')
      throw new InternalError(`A slice was sent to a peer the line says to ${d.action}.`)
    this.#served += 1
  }

  /**
   * Judges a cheque whose signature the caller checked (`signatureValid`). A bad signature,
   * a replay or an underpayment bans the peer; a cheque the book cannot cover is refused
   * without a ban (a top-up may follow) and is not held.
   */
  onCheque(cumulative: bigint, signatureValid: boolean, view: PayerView): ChequeOutcome {
    if (this.#ban) return { accepted: false, code: 'banned', value: 0n, ban: true }
    if (!signatureValid) return this.#refuse('bad_signature', 0n, true)
    if (cumulative <= this.#held) return this.#refuse('replayed', this.#held, true)
    // A cheque pays one slice or more (a payer's batch): it must add at least one slice's
    // price; paidSlices counts the whole slices it added, and any tip above is kept.
    if (cumulative < this.#held + this.price)
      return this.#refuse('underpaid', this.#held + this.price, true)
    const exposure = this.#exposure(view, cumulative)
    if (exposure > view.balance) {
      const room = view.balance - this.#exposure(view, this.#held)
      return this.#refuse('over_balance', room > 0n ? room : 0n, false)
    }
    this.#held = cumulative
    return { accepted: true, cumulative }
  }

  #refuse(code: RejectCode, value: bigint, ban: boolean): ChequeOutcome {
    if (ban) this.ban(code)
    return { accepted: false, code, value, ban }
  }
}

/**
 * Checks a peer's hello against this wire's card and chain; returns the reject to send, or
 * null when it matches. A mismatch is not malice (a stale card list, another network), so it
 * chokes rather than bans.
 * @example const r = judgeHello(hello, { chainId, cardId }); if (r) send({ type: 'reject', ...r })
 */
export function judgeHello(
  hello: { chainId: number; cardId: string },
  expected: { chainId: number; cardId: string },
): { code: RejectCode; value: bigint } | null {
  if (hello.chainId !== expected.chainId)
    return { code: 'wrong_chain', value: BigInt(expected.chainId) }
  if (hello.cardId.toLowerCase() !== expected.cardId.toLowerCase())
    return { code: 'wrong_card', value: 0n }
  return null
}
