/**
 * Adds `hc_pay` to one wire (extension.ts has the protocol's story): registers the BEP-10
 * extension, routes its messages to the wire's seeder and payer sides, and puts the seeder's
 * gate in front of webtorrent's answers to block requests.
 */
import type { Wire } from 'webtorrent/dist/webtorrent.min.js'
import { logger } from '../log.ts'
import { BuyerSide } from './extensionBuyer.ts'
import {
  BEP10_FRAMING_BYTES,
  chokeKeeping,
  type PayExtensionClass,
  type PaySwarmContext,
  type WireInternals,
  WireLink,
} from './extensionLink.ts'
import { SellerSide } from './extensionSeller.ts'
import { decodePayMessage, HC_PAY, type PayMessage, type PayNext } from './wire.ts'

const log = logger('pay:wire')

/** One wire's `hc_pay`, as the torrent-wide layer (extension.ts) drives it. */
export type WirePay = {
  /** Wei per slice for the picker: 0 free, Infinity when the wire must not be asked. */
  price(): number
  /** Whether the picker may ask the wire for a block of `index` (BuyerSide.mayAsk). */
  mayAsk(index: number): boolean
  /** The only pieces the picker may ask the wire for now; null: any (BuyerSide.askable). */
  askable(): ReadonlySet<number> | null
  /** The torrent verified piece `index`. */
  verified(index: number): void
}

/**
 * Adds `hc_pay` to `wire`. Call it from the torrent's `wire` event: webtorrent emits it before
 * the extended handshake goes out, so the handshake advertises `hc_pay`.
 * @example torrent.on('wire', (wire) => pays.set(wire, installPay(wire, ctx)))
 */
export function installPay(wire: Wire, ctx: PaySwarmContext): WirePay {
  const w = wire as unknown as WireInternals
  const link = new WireLink(w, ctx)
  const terms = ctx.seller?.terms(ctx.t) ?? null
  const seller = ctx.seller ? new SellerSide(link, ctx.seller, terms) : null
  link.paidPrice = terms?.price ?? 0n
  const buyer = ctx.buyer ? new BuyerSide(link, ctx.buyer) : null
  w.use(payExtension((buf) => onMessage(link, seller, buyer, buf)))
  if (seller) gateServing(w, seller)
  if (buyer) watchBlocks(w, buyer)
  return {
    price: () => buyer?.price() ?? 0,
    mayAsk: (index) => buyer?.mayAsk(index) ?? true,
    askable: () => buyer?.askable() ?? null,
    verified: (index) => buyer?.verified(index),
  }
}

/** The extension class `wire.use` takes: bittorrent-protocol reads `name` off its prototype. */
function payExtension(onMessage: (buf: Uint8Array) => void): PayExtensionClass {
  return class HcPay {
    get name(): string {
      return HC_PAY
    }
    onMessage(buf: Uint8Array): void {
      onMessage(buf)
    }
  }
}

/** Decodes a message and hands it to the side it is for; a malformed one bans the peer. */
function onMessage(
  link: WireLink,
  seller: SellerSide | null,
  buyer: BuyerSide | null,
  buf: Uint8Array,
): void {
  link.ctx.bytes.received += buf.length + BEP10_FRAMING_BYTES
  if (link.banned) return
  let m: Exclude<PayMessage, PayNext>
  try {
    m = link.received(decodePayMessage(buf))
  } catch (err) {
    log.warn('%s sent a malformed message: %s', link.peerId, (err as Error).message)
    link.rejectAndBan('malformed')
    return
  }
  if (m.type === 'terms') buyer?.onTerms(m)
  else if (m.type === 'receipt') buyer?.onReceipt(m)
  else if (m.type === 'reject') buyer?.onReject(m)
  else if (m.type === 'hello') seller?.onHello(m)
  else seller?.onCheque(m)
}

/**
 * The seeder's gate. A request goes to webtorrent (which reads the slice and answers) only
 * once the seller side admits it; a refused one is rejected at once under BEP 6, so the
 * payer does not wait for its timeout. While the peer is held for payment, webtorrent's own
 * unchokes (on interest, and every rechoke) are ignored; on priced wires a choke keeps the
 * requests already admitted (chokeKeeping).
 */
function gateServing(w: WireInternals, seller: SellerSide): void {
  w.on('extended', (ext: string) => {
    if (ext === 'handshake') seller.onPeerHandshake(!!w.peerExtendedMapping[HC_PAY])
  })
  const onRequest = w._onRequest.bind(w)
  w._onRequest = (index, offset, length) => {
    // A choked peer's request is bittorrent-protocol's to drop or reject; it counts nothing.
    const choked = w.amChoking && !(w.hasFast && w.allowedFastSet.includes(index))
    if (choked || seller.admit(index)) return onRequest(index, offset, length)
    if (w.hasFast && !w.destroyed) w.reject(index, offset, length)
  }
  const unchoke = w.unchoke.bind(w)
  w.unchoke = () => {
    if (seller.mayUnchoke()) unchoke()
  }
  if (seller.priced) {
    const choke = w.choke.bind(w)
    w.choke = () => chokeKeeping(w, choke)
  }
  w.on('upload', (bytes: number) => seller.onUpload(bytes))
}

/** The payer notes the pieces it asks this wire for and the blocks that come back. */
function watchBlocks(w: WireInternals, buyer: BuyerSide): void {
  const request = w.request.bind(w)
  w.request = (index, offset, length, cb) => {
    buyer.onRequest(index)
    request(index, offset, length, cb)
  }
  // Every block the peer sends, even one whose request timed out or was given to another
  // wire meanwhile: the seeder counted it, so it is paid for (see extension.ts).
  w.on('piece', (index: number) => buyer.onBlock(index))
}
