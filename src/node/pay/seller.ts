/**
 * The seeder's side of the ports (ports.ts `SellerPort`) over the live pay session: terms, the
 * cheques held, the payer's chain view and the signature check, all synchronous from memory
 * (DESIGN §4.6: no RPC and no IndexedDB wait on the per-slice path). An accepted cheque
 * changes memory before its promise is even created, then goes to the ledger.
 */
import { type Address, bytesToHex, type Hex, hexToBytes } from 'viem'
import { PayUnavailableError } from '../../shared/errors/pay.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { logger } from '../log.ts'
import type { PayerView } from './credit.ts'
import type { ReceiptSource } from './extensionLink.ts'
import type { PayTorrent, SellerPort } from './ports.ts'
import type { PaySession } from './session.ts'
import { MAX_CUMULATIVE, type PayTerms, type RejectCode, type WireCheque } from './wire.ts'

const log = logger('pay:seller')

export type SellerComponents = {
  /** The open session, or null (no chain, no identity, or still opening). */
  live(): PaySession | null
  /** Wei per slice of an item (the personal node's settings); 0n = free. */
  priceOf(itemId: string): bigint
  /** Slices served ahead of payment, announced in each new wire's terms. */
  credit(): number
  emit(e: NodeEvent): void
  /** A cheque was accepted: the cash-out policy should look soon. */
  afterCheque(): void
}

/** No session yet (its chain reads are pending): nothing is known of any payer's book. */
const NO_VIEW: PayerView = { balance: 0n, paid: 0n, uncashedElsewhere: 0n, known: false }

/** A price the wire can carry; a bad setting serves free rather than breaking the wire. */
function safePrice(c: SellerComponents, itemId: string): bigint {
  try {
    const p = c.priceOf(itemId)
    if (typeof p === 'bigint' && p >= 0n && p <= MAX_CUMULATIVE) return p
    log.warn('price of %s is out of range: serving it free', itemId)
  } catch (err) {
    log.warn('price of %s failed: %s', itemId, (err as Error).message)
  }
  return 0n
}

/**
 * Builds the seller port.
 * @example const seller = createSeller({ live, priceOf, credit: () => 2, emit, afterCheque })
 */
export function createSeller(c: SellerComponents): SellerPort & ReceiptSource {
  const key = (s: PaySession, payer: Address, cardId: Hex) => ({ payer, payee: s.me, cardId })
  return {
    terms(t: PayTorrent): PayTerms | null {
      const s = c.live()
      if (!s || !t.cardId) return null
      return {
        type: 'terms',
        chainId: s.chainId,
        chequebook: s.chequebook,
        payee: s.me,
        cardId: t.cardId,
        price: safePrice(c, t.itemId),
        credit: c.credit(),
      }
    },

    held(payer, cardId) {
      const s = c.live()
      if (!s) return 0n
      return s.lines.get('received', key(s, payer, cardId))?.cumulative ?? 0n
    },

    view(payer, cardId) {
      const s = c.live()
      if (!s) return NO_VIEW
      s.book.watch(payer) // a payer first seen: its book is read once, 0 until then
      return {
        balance: s.book.available(payer),
        paid: s.lines.get('received', key(s, payer, cardId))?.cashed ?? 0n,
        uncashedElsewhere: s.lines.uncashedFrom(payer, cardId),
        known: s.book.account(payer) !== null,
      }
    },

    newestCheque(payer, cardId) {
      const s = c.live()
      const line = s?.lines.get('received', key(s, payer, cardId))
      return line ? { cumulative: line.cumulative, signature: hexToBytes(line.signature) } : null
    },

    verifier(payer, cardId) {
      const s = c.live()
      if (!s) return () => false
      return s.checker(key(s, payer, cardId))
    },

    accepted(payer, cardId, cheque, served) {
      const s = c.live()
      if (!s) return Promise.reject(new PayUnavailableError('No pay session to keep the cheque.'))
      return acceptCheque(c, s, key(s, payer, cardId), cheque, served)
    },

    onBookChange(payer, fn) {
      const s = c.live()
      return s ? s.onBookChange(payer, fn) : () => {}
    },

    banned(t: PayTorrent, peerId: string, reason: RejectCode) {
      log('banned %s on %s: %s', peerId, t.infoHash, reason)
      c.emit({
        kind: 'log',
        level: 'warn',
        message: `A peer was banned from ${t.infoHash.slice(0, 8)}… for a payment fault (${reason}).`,
      })
    },
  }
}

/** Memory first (synchronously), then the ledger; see the module comment. */
function acceptCheque(
  c: SellerComponents,
  s: PaySession,
  k: { payer: Address; payee: Address; cardId: Hex },
  cheque: WireCheque,
  served: { slices: number; bytes: number },
): Promise<void> {
  const old = s.lines.get('received', k)
  const before = old?.cumulative ?? 0n
  // Two wires of one payer share its line: a cheque already superseded adds nothing.
  if (cheque.cumulative <= before) return Promise.resolve()
  const signature = bytesToHex(cheque.signature)
  s.lines.put({
    ...k,
    side: 'received',
    cumulative: cheque.cumulative,
    signature,
    slices: (old?.slices ?? 0) + served.slices,
    bytes: (old?.bytes ?? 0) + served.bytes,
    cashed: old?.cashed ?? 0n,
    updatedAt: Date.now(),
  })
  s.book.watch(k.payer)
  s.series.add('earned', cheque.cumulative - before, served.bytes)
  s.earnings.add(k.cardId, cheque.cumulative - before)
  c.emit({
    kind: 'pay.cheque',
    side: 'received',
    cardId: k.cardId,
    cumulative: cheque.cumulative.toString(),
  })
  c.afterCheque()
  return s.ledger
    .recordCheque('received', k, {
      cumulative: cheque.cumulative,
      signature,
      slices: served.slices,
      bytes: served.bytes,
    })
    .then(() => undefined)
}
