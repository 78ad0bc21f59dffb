/**
 * The payer's side of `hc_pay` (DESIGN §4.6): which terms to accept, the next cumulative to
 * sign after each verified slice from a priced peer, the user's caps, and the rule that the
 * cumulative is persisted before its cheque leaves the node, so a reload never signs less
 * than it already signed (a seeder would ban that as a replay).
 */
import type { Address, Hex } from 'viem'
import { InvalidInputError } from '../../shared/errors/common.ts'
import { SpendingCapError } from '../../shared/errors/pay.ts'
import type { PayCheque, PayTerms, RejectCode } from './wire.ts'

/** The user's settings. */
export type SpendLimits = {
  /** Never pay more per slice than this. */
  maxPrice: bigint
  /** Most wei signed away for one item, across every seeder. */
  perItem: bigint
  /** Most wei signed away per UTC day, across everything. */
  perDay: bigint
}

/** Why a seeder's terms are not taken (the picker then fetches only from others). */
export type TermsVerdict =
  | { ok: true }
  | { ok: false; reason: 'wrong_chain' | 'wrong_chequebook' | 'wrong_card' | 'too_expensive' }

/**
 * Checks a seeder's terms against what this node pays on and the user's maximum price.
 * @example if (!judgeTerms(terms, { chainId, chequebook, cardId }, limits).ok) avoidPeer()
 */
export function judgeTerms(
  terms: PayTerms,
  expected: { chainId: number; chequebook: Address; cardId: Hex },
  limits: Pick<SpendLimits, 'maxPrice'>,
): TermsVerdict {
  if (terms.chainId !== expected.chainId) return { ok: false, reason: 'wrong_chain' }
  if (terms.chequebook.toLowerCase() !== expected.chequebook.toLowerCase())
    return { ok: false, reason: 'wrong_chequebook' }
  if (terms.cardId.toLowerCase() !== expected.cardId.toLowerCase())
    return { ok: false, reason: 'wrong_card' }
  if (terms.price > limits.maxPrice) return { ok: false, reason: 'too_expensive' }
  return { ok: true }
}

/** What the UI shows for a seeder's reject. */
export function describeReject(code: RejectCode): string {
  switch (code) {
    case 'bad_signature':
      return 'The seeder could not verify our cheque.'
    case 'underpaid':
      return 'The seeder says our cheque paid less than one slice.'
    case 'replayed':
      return 'The seeder already holds a newer cheque from us.'
    case 'over_balance':
      return 'Our chequebook balance is spent: top it up to keep fetching paid slices.'
    case 'wrong_card':
      return 'The seeder serves another card on this torrent.'
    case 'wrong_chain':
      return 'The seeder is paid on another chain.'
    case 'malformed':
      return 'The seeder could not read our message.'
    case 'banned':
      return 'The seeder refuses to deal with us on this torrent.'
  }
}

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/**
 * The caps shared by every paying wire: reserved synchronously before signing (so two wires
 * cannot both take the last room), released if the cheque is never persisted.
 */
export class SpendBudget {
  #limits: SpendLimits
  readonly #now: () => number
  readonly #perItem = new Map<string, bigint>()
  #day: string
  #today: bigint

  /** `spentToday` and `spentPerItem` come from the ledger, so caps survive reloads. */
  constructor(p: {
    limits: SpendLimits
    spentToday: bigint
    spentPerItem?: ReadonlyMap<string, bigint>
    now?: () => number
  }) {
    this.#limits = { ...p.limits }
    this.#now = p.now ?? Date.now
    this.#day = utcDay(this.#now())
    this.#today = p.spentToday
    for (const [k, v] of p.spentPerItem ?? []) this.#perItem.set(k.toLowerCase(), v)
  }

  /** The caps in force. */
  get limits(): SpendLimits {
    return this.#limits
  }

  /** New caps (the user's settings changed); what was spent stays counted. */
  setLimits(limits: SpendLimits): void {
    this.#limits = { ...limits }
  }

  /** The UTC day spending is counted on now. */
  day(): string {
    this.#roll()
    return this.#day
  }

  /** Wei signed away today and for `cardId`. */
  spent(cardId: Hex): { today: bigint; item: bigint } {
    this.#roll()
    return { today: this.#today, item: this.#perItem.get(cardId.toLowerCase()) ?? 0n }
  }

  /** Takes `amount` from both caps or throws `SpendingCapError` (taking nothing). */
  reserve(cardId: Hex, amount: bigint): void {
    const { today, item } = this.spent(cardId)
    if (item + amount > this.#limits.perItem)
      throw new SpendingCapError('The spending cap for this item is reached.', {
        details: `${item} + ${amount} > ${this.#limits.perItem} wei`,
      })
    if (today + amount > this.#limits.perDay)
      throw new SpendingCapError("Today's spending cap is reached.", {
        details: `${today} + ${amount} > ${this.#limits.perDay} wei`,
      })
    this.#today += amount
    this.#perItem.set(cardId.toLowerCase(), item + amount)
  }

  /** Gives back a reservation whose cheque was not persisted. */
  release(cardId: Hex, amount: bigint): void {
    const key = cardId.toLowerCase()
    this.#perItem.set(key, (this.#perItem.get(key) ?? 0n) - amount)
    this.#today -= amount
  }

  #roll(): void {
    const d = utcDay(this.#now())
    if (d !== this.#day) {
      this.#day = d
      this.#today = 0n
    }
  }
}

/** A cheque as the payer keeps it: a cumulative and its 65-byte signature. */
export type SignedCheque = { cumulative: bigint; signature: Uint8Array }

/** What a payer line needs from the node. */
export type PayerLineInit = {
  cardId: Hex
  /** The seeder's price per slice (terms accepted by {@link judgeTerms}). */
  price: bigint
  /** The newest cumulative this node signed on the line (from the ledger), 0 if none. */
  signed: bigint
  /** Signs `cumulative` for this line (cheques.ts `signChequeBytes`). */
  sign(cumulative: bigint): Promise<Uint8Array>
  /**
   * Durably records the cheque (the ledger's `recordCheque('sent', …)`). With `ahead` (only
   * when `persistAhead` is given), stores that cheque ahead in the same write, as
   * `persistAhead` would: one IndexedDB transaction per slice instead of two.
   */
  persist(cheque: SignedCheque & { day: string }, ahead?: SignedCheque): Promise<void>
  /**
   * Write-ahead: durably stores the next cheque, signed before its slice arrives, so that
   * when the slice verifies the cheque goes out at once, already on disk. Without it every
   * cheque is signed and recorded after its slice, on the wire's critical path.
   */
  persistAhead?(cheque: SignedCheque): Promise<void>
  /** The cheque stored ahead on this line, if any (read once, before the first cheque). */
  loadAhead?(): Promise<SignedCheque | undefined>
  /** A failure after a cheque left (recording it, or signing the next one ahead). */
  onError?(err: Error): void
  budget: SpendBudget
}

/**
 * One line's payments, payer side. Calls are serialized, so cheques are signed, persisted and
 * sent in increasing order even when slices are verified concurrently.
 *
 * Every cheque is on disk before it is sent: either recorded in the ledger first (the slow
 * path), or signed and stored ahead while its slice was still downloading (`persistAhead`),
 * then sent the moment the slice verifies and recorded in the ledger right after. After a
 * crash in between, the cheque stored ahead may or may not have left; the next cheque is
 * never below it (`max(signed + price, ahead)`, reusing its signature when equal), and a
 * seeder that holds it says so in its receipt first, which moves `signed` past it.
 * @example const msg = await line.onSliceVerified(); if (msg) wire.send(encodePayMessage(msg))
 */
export class PayerLine {
  readonly #init: PayerLineInit
  #signed: bigint
  #ahead: SignedCheque | null = null
  #queue: Promise<unknown> = Promise.resolve()

  constructor(init: PayerLineInit) {
    if (init.price < 0n || init.signed < 0n)
      throw new InvalidInputError('Price and signed amount must be ≥ 0.')
    this.#init = init
    this.#signed = init.signed
    const load = init.loadAhead
    if (load && init.price > 0n)
      this.#background(async () => {
        this.#ahead = (await load()) ?? null
      })
  }

  /** The newest cumulative signed and sent (or handed out to be sent). */
  get signed(): bigint {
    return this.#signed
  }

  /** Resolves once the work queued so far (recording, signing ahead) is done. */
  settled(): Promise<void> {
    return this.#queue.then(() => undefined)
  }

  /**
   * After `slices` slices from this peer verified (1, or a batch whose cheques backed up):
   * ONE cheque for `signed + slices × price` (or for the one stored ahead, if higher), on
   * disk before it is returned to be sent. The cheque stored ahead covers one slice, so a
   * batch is signed and recorded here, once for all its slices. Free peers get nothing
   * (null). Throws `SpendingCapError` when a cap is reached (the line stays where it was,
   * nothing is sent), and `InvalidInputError` for a count that is not a whole number ≥ 1.
   */
  onSliceVerified(slices = 1): Promise<PayCheque | null> {
    if (!Number.isSafeInteger(slices) || slices < 1)
      return Promise.reject(
        new InvalidInputError(`A cheque pays for 1 or more slices (${slices}).`),
      )
    return this.#serial(async (): Promise<PayCheque | null> => {
      const { price, cardId, budget } = this.#init
      if (price === 0n) return null
      const ahead = this.#ahead
      const cumulative = larger(this.#signed + BigInt(slices) * price, ahead?.cumulative ?? 0n)
      budget.reserve(cardId, cumulative - this.#signed)
      if (ahead && ahead.cumulative === cumulative) {
        // Already on disk (stored ahead): it leaves now; its record and the next cheque
        // ahead go to disk together once the next one is signed.
        this.#ahead = null
        this.#signed = cumulative
        this.#recordSigningAhead(ahead)
        return { type: 'cheque', ...ahead }
      }
      let cheque: SignedCheque
      try {
        cheque = { cumulative, signature: await this.#init.sign(cumulative) }
        await this.#record(cheque)
      } catch (err) {
        budget.release(cardId, cumulative - this.#signed)
        throw err
      }
      this.#signed = cumulative
      this.#signAhead()
      return { type: 'cheque', ...cheque }
    })
  }

  /**
   * A seeder's receipt: the newest cheque it holds from us. If it is ours (`valid`, checked by
   * the caller against our own address) and above what we know — the ledger was lost — we go
   * on from it, so we do not sign a cheque the seeder would ban as a replay. It is persisted
   * first, like any cheque; spending it stands for was counted when it was signed.
   */
  adoptReceipt(
    cheque: { cumulative: bigint; signature: Uint8Array },
    valid: boolean,
  ): Promise<void> {
    return this.#serial(async () => {
      if (!valid || cheque.cumulative <= this.#signed) return
      await this.#record(cheque)
      this.#signed = cheque.cumulative
    })
  }

  #record(cheque: SignedCheque, ahead?: SignedCheque): Promise<void> {
    return this.#init.persist({ ...cheque, day: this.#init.budget.day() }, ahead)
  }

  /**
   * After a cheque sent from ahead: signs the next one, then records the sent cheque and
   * stores the next ahead in one write (queued, after the work before it). If signing fails
   * the sent cheque is recorded alone, and the next cheque takes the slow path. If a later
   * cheque went out meanwhile (another wire of the line), its record covers this one.
   */
  #recordSigningAhead(sent: SignedCheque): void {
    this.#background(async () => {
      if (this.#signed !== sent.cumulative) return
      let next: SignedCheque | undefined
      if (this.#init.persistAhead) {
        const cumulative = sent.cumulative + this.#init.price
        try {
          next = { cumulative, signature: await this.#init.sign(cumulative) }
        } catch (err) {
          this.#init.onError?.(err as Error)
        }
      }
      await this.#record(sent, next)
      if (next) this.#ahead = next
    })
  }

  /** Signs and stores the next cheque while its slice downloads (after the queued work). */
  #signAhead(): void {
    const store = this.#init.persistAhead
    if (!store) return
    this.#background(async () => {
      const cumulative = this.#signed + this.#init.price
      if ((this.#ahead?.cumulative ?? 0n) >= cumulative) return
      const next = { cumulative, signature: await this.#init.sign(cumulative) }
      await store(next)
      this.#ahead = next
    })
  }

  /** Queued like every call, its failure reported rather than thrown at the next cheque. */
  #background(job: () => Promise<void>): void {
    void this.#serial(job).catch((err: Error) => this.#init.onError?.(err))
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn)
    this.#queue = run.catch(() => undefined)
    return run
  }
}

const larger = (a: bigint, b: bigint): bigint => (a > b ? a : b)
