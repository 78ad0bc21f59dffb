/**
 * The wire under `hc_pay` (extension.ts): the few bittorrent-protocol internals the extension
 * touches, typed narrowly (webtorrent's bundle ships no types, as webtorrentWire.ts does), and
 * what both of its sides share on one wire — sending a message, choking without dropping
 * the block requests already admitted, and banning.
 */
import type { Address, Hex } from 'viem'
import { logger } from '../log.ts'
import type { BuyerPort, PayTorrent, SellerPort } from './ports.ts'
import {
  compactCheque,
  encodePayMessage,
  expandNext,
  HC_PAY,
  type PayMessage,
  type PayNext,
  type RejectCode,
  type WireCheque,
} from './wire.ts'

const log = logger('pay:wire')

/** How long a banned wire stays open, choked and ignored, so its reject reaches the peer. */
export const BAN_LINGER_MS = 1_000

/** BEP-10's framing of an extended message: 4-byte length, message id 20, the extension's id. */
export const BEP10_FRAMING_BYTES = 6

/** `hc_pay` bytes on a torrent's wires, BEP-10's framing included (the extended handshake not). */
export type PayBytes = { sent: number; received: number }

/** A block request as bittorrent-protocol queues it. */
export type BlockRequest = { piece: number; offset: number; length: number }

/** A BEP-10 extension as `wire.use` takes it: its name is read from the prototype. */
export type PayExtensionClass = new (wire: unknown) => { onMessage(buf: Uint8Array): void }

/** The parts of a bittorrent-protocol 5 `Wire` (also the one inside webtorrent's bundle) used here. */
export type WireInternals = {
  peerId: string | null
  destroyed: boolean
  amChoking: boolean
  peerInterested: boolean
  /** BEP 6 is on for this wire (both ends set the bit; webtorrent always does). */
  hasFast: boolean
  /** Pieces the peer may request while choked (BEP 6): a choke keeps their pending requests. */
  allowedFastSet: number[]
  /** The peer's admitted block requests not answered yet. */
  peerRequests: BlockRequest[]
  /** This node's block requests to the peer not answered yet (absent in test fakes). */
  requests?: BlockRequest[]
  /** The peer's extension names → ids, from its extended handshake. */
  peerExtendedMapping: Record<string, number>
  use(ext: PayExtensionClass): void
  extended(ext: string, buf: Uint8Array): void
  choke(): void
  unchoke(): void
  reject(index: number, offset: number, length: number): void
  request(
    index: number,
    offset: number,
    length: number,
    cb: (err: Error | null, chunk?: Uint8Array) => void,
  ): void
  /** Handles a peer's request message; emits `request` for the torrent to answer. */
  _onRequest(index: number, offset: number, length: number): void
  destroy(): void
  on(ev: string, fn: (...args: never[]) => void): void
  once(ev: string, fn: (...args: never[]) => void): void
}

/**
 * What a seller may offer beyond {@link SellerPort}: the newest cheque it holds on a line, so
 * the receipt after a hello lets a payer that lost its ledger go on from it (wire.ts). Without
 * it no receipt is sent, and such a payer's next cheque is refused as a replay.
 */
export type ReceiptSource = {
  newestCheque?(payer: Address, cardId: Hex): WireCheque | null
}

/** What every wire of one torrent shares (extension.ts builds it). */
export type PaySwarmContext = {
  t: PayTorrent
  seller: (SellerPort & ReceiptSource) | undefined
  buyer: BuyerPort | undefined
  /** Whether piece `index` verified already: a block of it that arrives late is paid at once. */
  isVerified(index: number): boolean
  /** Whether a spending cap stopped paid fetching on this torrent. */
  capped(): boolean
  /** A cap was reached on one wire: paid fetching stops on every wire of the torrent. */
  capReached(why: string): void
  /** A peer was banned; it stays banned on this torrent when it reconnects. */
  banned(peerId: string, reason: RejectCode): void
  /** A wire's price as the picker sees it changed. */
  priceChanged(): void
  banLingerMs: number
  /** `hc_pay` bytes sent and received on the torrent's wires, counted as they go. */
  bytes: PayBytes
}

/**
 * Chokes the peer without dropping the requests already admitted. bittorrent-protocol's choke
 * drops (or, with BEP 6, rejects) every pending request but those of allowed-fast pieces; the
 * seeder has counted the pieces those belong to, so dropping them would leave the payer owing
 * a slice it never gets. They are made allowed-fast for the length of the choke, and the
 * payer, under BEP 6, keeps waiting for them. Without BEP 6 they are dropped (the payer also
 * drops them on its side) and a re-request of the same piece is served uncounted.
 */
export function chokeKeeping(wire: WireInternals, choke: () => void): void {
  if (!wire.hasFast || wire.peerRequests.length === 0) {
    choke()
    return
  }
  const allowed = wire.allowedFastSet
  wire.allowedFastSet = [...allowed, ...new Set(wire.peerRequests.map((r) => r.piece))]
  try {
    choke()
  } finally {
    wire.allowedFastSet = allowed
  }
}

/** One wire's `hc_pay` link: sending, and the ban both sides may call for. */
export class WireLink {
  readonly wire: WireInternals
  readonly ctx: PaySwarmContext
  /** The peer's price per slice once this node pays on the wire: later cheques go as `next`. */
  payingPrice = 0n
  /** This node's price per slice when it is paid on the wire: how a `next` is read. */
  paidPrice = 0n
  #banned: RejectCode | null = null
  /** The cumulatives of the last cheque sent and received here (`next` counts from them). */
  #lastSent: bigint | null = null
  #lastReceived: bigint | null = null

  constructor(wire: WireInternals, ctx: PaySwarmContext) {
    this.wire = wire
    this.ctx = ctx
  }

  /** Why the peer is banned, or null. A banned wire is choked and its messages ignored. */
  get banned(): RejectCode | null {
    return this.#banned
  }

  /** The peer's id for logs and bans ('' before the handshake). */
  get peerId(): string {
    return this.wire.peerId ?? ''
  }

  /** Sends `m` if the peer speaks `hc_pay` and the wire is open; never throws. */
  send(m: PayMessage): void {
    const w = this.wire
    if (w.destroyed || !w.peerExtendedMapping[HC_PAY]) return
    try {
      const out = m.type === 'cheque' ? compactCheque(m, this.#lastSent, this.payingPrice) : m
      const buf = encodePayMessage(out)
      w.extended(HC_PAY, buf)
      this.ctx.bytes.sent += buf.length + BEP10_FRAMING_BYTES
      if (m.type === 'cheque') this.#lastSent = m.cumulative
    } catch (err) {
      log.warn('%s: could not send %s: %s', this.peerId, m.type, (err as Error).message)
    }
  }

  /**
   * A message as received, with a `next` read as the cheque it stands for. Throws
   * `InvalidInputError` for a `next` that stands for none (a malformed message).
   */
  received(m: PayMessage): Exclude<PayMessage, PayNext> {
    if (m.type === 'next') {
      const cheque = expandNext(m, this.#lastReceived, this.paidPrice)
      this.#lastReceived = cheque.cumulative
      return { type: 'cheque', ...cheque }
    }
    if (m.type === 'cheque') this.#lastReceived = m.cumulative
    return m
  }

  /** Tells the peer why (a typed reject), then bans it. */
  rejectAndBan(code: RejectCode): void {
    this.send({ type: 'reject', code, value: 0n })
    this.ban(code)
  }

  /**
   * Bans the peer on this torrent: nothing more is served or read from it, the swarm hears
   * of it, and the wire is closed once a reject sent just before had time to leave.
   */
  ban(reason: RejectCode): void {
    if (this.#banned) return
    this.#banned = reason
    log.warn('%s banned: %s', this.peerId, reason)
    this.ctx.seller?.banned(this.ctx.t, this.peerId, reason)
    this.ctx.banned(this.peerId, reason)
    this.wire.choke()
    setTimeout(() => this.wire.destroy(), this.ctx.banLingerMs)
  }
}
