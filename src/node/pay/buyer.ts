/**
 * The payer's side of the ports (ports.ts `BuyerPort`) over the live pay session: which terms
 * to take, one payer line per (payee, cardId) resumed from the ledger, signing with the node's
 * hot key, and the rule that a cheque is in the ledger before it leaves the node (spend.ts).
 */
import { type Address, bytesToHex, type Hex, hexToBytes } from 'viem'
import { InvalidInputError } from '../../shared/errors/common.ts'
import { PayUnavailableError } from '../../shared/errors/pay.ts'
import type { PayOverview } from '../../shared/protocol/methods/pay.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { logger } from '../log.ts'
import { signChequeBytes } from './cheques.ts'
import { MisbehavingLine, type Misbehaviour } from './misbehave.ts'
import type { BuyerPort, PayTorrent } from './ports.ts'
import type { PaySession } from './session.ts'
import {
  describeReject,
  judgeTerms,
  PayerLine,
  type SignedCheque,
  type TermsVerdict,
} from './spend.ts'

const log = logger('pay:buyer')

export type BuyerComponents = {
  live(): PaySession | null
  /** The session, opening it if needed; null without a chain or an identity. */
  session(): Promise<PaySession | null>
  emit(e: NodeEvent): void
  /** Why paid fetching stopped. */
  setStopped(s: NonNullable<PayOverview['stopped']>): void
  /**
   * A cheque was signed: paid fetching goes on, so a stop for a cap or a seeder's reject is
   * lifted. One for a spent balance stays until a deposit (another seeder may still take a
   * cheque signed against what is left, but the book is spent all the same).
   */
  chequeSigned(): void
  /** Dev chains: how new payer lines misbehave (misbehave.ts); 'none' elsewhere. */
  misbehave?: () => Misbehaviour
}

const larger = (a: bigint, b: bigint): bigint => (a > b ? a : b)

/**
 * Builds the buyer port.
 * @example const buyer = createBuyer({ live, session, emit, setStopped, chequeSigned })
 */
export function createBuyer(c: BuyerComponents): BuyerPort {
  return {
    hello(t, _terms) {
      const s = c.live()
      if (!s || !t.cardId) return null
      return { type: 'hello', chainId: s.chainId, cardId: t.cardId, payer: s.me }
    },

    judge(t, terms): TermsVerdict {
      const s = c.live()
      // A node that cannot pay takes no priced terms; 'wrong_chain' is the nearest reason.
      if (!s) return { ok: false, reason: 'wrong_chain' }
      if (!t.cardId) return { ok: false, reason: 'wrong_card' }
      const expected = { chainId: s.chainId, chequebook: s.chequebook, cardId: t.cardId }
      return judgeTerms(terms, expected, s.budget.limits)
    },

    async line(t, terms) {
      const s = await c.session()
      if (!s || s.closed) throw new PayUnavailableError('Paying needs a chain and an identity.')
      if (!t.cardId) throw new InvalidInputError('This torrent is sold under no card.')
      const verdict = judgeTerms(
        terms,
        { chainId: s.chainId, chequebook: s.chequebook, cardId: t.cardId },
        s.budget.limits,
      )
      if (!verdict.ok)
        throw new InvalidInputError('These terms are not taken.', { details: verdict.reason })
      return payerLine(c, s, terms.payee, t.cardId, terms.price)
    },

    ownCheque(t, terms, cheque) {
      const s = c.live()
      if (!s || !t.cardId) return false
      const check = s.checker({ payer: s.me, payee: terms.payee, cardId: t.cardId })
      return check(cheque.cumulative, cheque.signature)
    },

    stopped(t: PayTorrent, why) {
      const cardId = t.cardId ?? undefined
      if ('cap' in why) c.setStopped({ reason: 'cap', message: why.cap, cardId })
      else
        c.setStopped({
          reason: why.code === 'over_balance' ? 'balance' : 'rejected',
          message: describeReject(why.code),
          cardId,
        })
    },
  }
}

/**
 * The one line for (payee, cardId): the existing one, or a new one resuming from the newest
 * cumulative signed. A seeder that changed its price gets a new line that goes on from the
 * old one's cumulative (the ledger refuses anything below it, so the two cannot overlap).
 */
function payerLine(
  c: BuyerComponents,
  s: PaySession,
  payee: Address,
  cardId: Hex,
  price: bigint,
): PayerLine {
  const id = `${payee}:${cardId}`.toLowerCase()
  const existing = s.payerLines.get(id)
  if (existing && existing.price === price) return existing.line
  const k = { payer: s.me, payee, cardId }
  const signed = larger(existing?.line.signed ?? 0n, s.lines.get('sent', k)?.cumulative ?? 0n)
  const chequeLine = s.chequeLine(k)
  const init = {
    cardId,
    price,
    signed,
    budget: s.budget,
    sign: (cumulative: bigint) => signChequeBytes(s.account, chequeLine, cumulative),
    persist: (
      cheque: { cumulative: bigint; signature: Uint8Array; day: string },
      ahead?: SignedCheque,
    ) => persistSent(c, s, k, price, cheque, ahead),
    persistAhead: (cheque: SignedCheque) =>
      s.ledger.putAhead(k, {
        cumulative: cheque.cumulative,
        signature: bytesToHex(cheque.signature),
      }),
    loadAhead: async () => {
      const a = await s.ledger.getAhead(k)
      return a && { cumulative: a.cumulative, signature: hexToBytes(a.signature) }
    },
    onError: (err: Error) => log.warn('%s: a cheque after it left: %s', id, err.message),
  }
  const mode = c.misbehave
  const line = mode && mode() !== 'none' ? new MisbehavingLine(init, mode) : new PayerLine(init)
  s.payerLines.set(id, { price, line })
  return line
}

/**
 * Writes a signed cheque to the ledger (before it is sent; with the next cheque stored ahead in
 * the same transaction when given), then memory, series and page.
 */
async function persistSent(
  c: BuyerComponents,
  s: PaySession,
  k: { payer: Address; payee: Address; cardId: Hex },
  price: bigint,
  cheque: { cumulative: bigint; signature: Uint8Array; day: string },
  ahead?: SignedCheque,
): Promise<void> {
  if (s.closed) throw new PayUnavailableError('The account changed: this line signs no more.')
  const before = s.lines.get('sent', k)
  const prev = before?.cumulative ?? 0n
  const line = await s.ledger.recordCheque(
    'sent',
    k,
    {
      cumulative: cheque.cumulative,
      signature: bytesToHex(cheque.signature),
      slices: price > 0n ? Number((cheque.cumulative - prev) / price) : 0,
      day: cheque.day,
    },
    ahead && { cumulative: ahead.cumulative, signature: bytesToHex(ahead.signature) },
  )
  // A reconcile may have moved `cashed` in memory while the write was in flight.
  const now = s.lines.get('sent', k)
  s.lines.put({ ...line, cashed: larger(line.cashed, now?.cashed ?? 0n) })
  s.series.add('spent', cheque.cumulative - prev, 0)
  c.emit({
    kind: 'pay.cheque',
    side: 'sent',
    cardId: k.cardId,
    cumulative: cheque.cumulative.toString(),
  })
  c.chequeSigned()
}
