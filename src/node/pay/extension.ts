/**
 * `hc_pay` on a torrent's wires (DESIGN §4.6): the BEP-10 extension that pays per slice.
 *
 * On each wire the seeder (a node that can be paid for the item) sends its terms once after
 * the extended handshake — price 0 too, so the payer knows it is free. A payer that takes
 * priced terms answers with a hello naming its account, then sends one cheque per piece it
 * verified with blocks from that wire, or one for several when they verified while the
 * previous cheque was still being made (the first whole, later ones as `next`). The seeder
 * serves a new slice only while the credit rule allows (credit.ts), chokes the peer until a
 * cheque makes room, and bans it for a bad, replayed or underpaying cheque or a malformed
 * message. A peer without `hc_pay` (a stock WebTorrent client) is served only at price 0.
 * Sides: extensionSeller.ts and extensionBuyer.ts; one wire: extensionWire.ts.
 *
 * ## Why the two counts agree
 * The seeder counts slice `i` on a wire when it admits the first block request of piece `i`
 * from it; webtorrent then reads the block and sends it. The payer notes `i` when a block of
 * `i` that it requested arrives from that wire, and pays the wire once when `i` verifies (at
 * once if the block came after). Both count "pieces of which this wire sent at least one
 * block", once per piece per wire: the seeder serves later blocks of a counted piece free (a
 * re-request after a failed hash, a choke or a lost store), and the payer never pays a wire
 * twice for a piece. A block the picker gave up on (a critical request re-issued to another
 * peer) is still paid when it arrives, since the seeder sent it. The other drift, a payer
 * paying for a piece the seeder did not count, cannot happen: no block of an uncounted piece
 * is ever sent.
 *
 * ## Where they drift, and why the credit absorbs it
 * The seeder counts, the payer never pays, when an admitted first block never reaches the
 * payer and the payer then gets the whole piece from other wires: the payer cancelled it (a
 * `cancel` message; webtorrent sends none), the seeder's read failed, a choke without BEP 6
 * dropped it, or the wire closed. Also when the piece failed its hash and then verified from
 * other wires alone. Each such event leaves the payer one slice behind on that wire for good.
 * Each drift costs the seeder one slice and shrinks that wire's window by one for good: the
 * seeder admits an ask only while its own count of unpaid slices, which is the payer's plus
 * the drifts, stays below the credit both compute (credit.ts: 2 slices, growing by one per
 * slice paid up to 16 × credit). A drift stays inside the seeder's loss bound (net of what it
 * was paid on the wire, `credit` slices). Two drifts stall a new wire; one whose credit has
 * grown stalls when its drifts reach that credit. A stalled wire waits for a cheque for a
 * slice the payer never got; the payer's picker then fetches from other peers, and a new
 * wire starts again from the ledger (credit.ts: `held` opens the line), so a drift is never
 * carried over.
 *
 * One cheque message per verified piece per wire (or per batch of pieces that verified while
 * the payer was busy with the previous cheque: extensionBuyer.ts), and nothing per block. The
 * seeder needs no rule of its own for a batch: a cheque must add at least one slice's price,
 * and the slices it paid are what it added over the price (credit.ts). The first on a wire
 * is `type ‖ cumulative ‖ signature` (1 + n + 65 bytes, n the cumulative's minimal length);
 * each later one is `next`, `type ‖ slices ‖ signature`, its cumulative the previous one plus
 * `slices` × the price (wire.ts). With BEP-10's 6 bytes a slice costs 73 bytes whatever the
 * amounts (2.8 × 10⁻⁴ of a 256 KiB slice) and less for a batch, the first 73–84.
 */
import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import {
  BAN_LINGER_MS,
  type PayBytes,
  type PaySwarmContext,
  type ReceiptSource,
} from './extensionLink.ts'
import { installPay, type WirePay } from './extensionWire.ts'
import type { BuyerPort, PayTorrent, SellerPort } from './ports.ts'
import type { RejectCode } from './wire.ts'

/** The pay service's two faces; either may be missing (then that side is off). */
export type PayPorts = {
  seller?: (SellerPort & ReceiptSource) | undefined
  buyer?: BuyerPort | undefined
}

/** What the swarm hears from `hc_pay`. */
export type PayHooks = {
  /** A peer was banned on this torrent (the swarm's `swarm.banned` event). */
  onBan?: (peerId: string, reason: RejectCode) => void
  /** Some wire's price changed (terms, a refusal, a cap): the picker may pick again. */
  onPriceChange?: () => void
  /** How long a banned wire stays open so its reject is delivered ({@link BAN_LINGER_MS}). */
  banLingerMs?: number
}

/** `hc_pay` on one torrent's wires. */
export interface PaySwarm {
  /** The card paid for on this torrent; null: `hc_pay` is off (no card known yet). */
  readonly cardId: PayTorrent['cardId']
  /** Adds `hc_pay` to a new wire; call from the torrent's `wire` event. */
  install(wire: Wire): void
  /**
   * Piece `index` is authentic (the chunk store checked it before writing; webtorrent's
   * `verified` event repeats it harmlessly): pays the wires that sent it.
   */
  verified(index: number): void
  /** The picker's view of a wire: wei per slice, 0 free, Infinity never to be asked. */
  priceOf(wire: Wire): number
  /** Whether `wire` may be asked for a block of piece `index` (its seeder's credit). */
  mayAsk(wire: Wire, index: number): boolean
  /**
   * The only pieces `wire` may be asked for now (a priced wire at its seeder's credit: those
   * asked and not yet paid for; none for a wire never to be asked), or null when any may be.
   */
  askable(wire: Wire): ReadonlySet<number> | null
  /** Peers banned on this torrent. */
  banned(): string[]
  /** `hc_pay` bytes sent and received on this torrent's wires so far (BEP-10 framing included). */
  bytes(): PayBytes
  /** Forgets the wires (the torrent is going away). */
  stop(): void
}

/**
 * The torrent-wide part of `hc_pay`: which wires have it, which pieces verified, the spending
 * cap (one reached stops paid fetching on every wire of the torrent) and the ban list (a banned
 * peer that reconnects is dropped). Nothing is installed when the torrent has no card or the
 * node has neither port: it then neither charges nor pays.
 * @example
 * const pay = createPaySwarm({ infoHash, itemId, cardId }, { seller, buyer })
 * torrent.on('wire', (w) => pay.install(w))
 * torrent.on('verified', (i) => pay.verified(i))
 */
export function createPaySwarm(t: PayTorrent, ports: PayPorts, hooks: PayHooks = {}): PaySwarm {
  const wires = new Map<Wire, WirePay>()
  const banned = new Set<string>()
  const verifiedPieces = new Set<number>()
  let capped = false
  const bytes: PayBytes = { sent: 0, received: 0 }
  const ctx: PaySwarmContext = {
    t,
    seller: ports.seller,
    buyer: ports.buyer,
    isVerified: (i) => verifiedPieces.has(i),
    capped: () => capped,
    capReached(why) {
      if (capped) return
      capped = true
      ports.buyer?.stopped(t, { cap: why })
      hooks.onPriceChange?.()
    },
    banned(peerId, reason) {
      if (peerId) banned.add(peerId)
      hooks.onBan?.(peerId, reason)
    },
    priceChanged: () => hooks.onPriceChange?.(),
    banLingerMs: hooks.banLingerMs ?? BAN_LINGER_MS,
    bytes,
  }
  const enabled = t.cardId !== null && (ports.seller !== undefined || ports.buyer !== undefined)
  return {
    cardId: t.cardId,
    install(wire) {
      if (!enabled || wires.has(wire)) return
      if (banned.has(wire.peerId)) return wire.destroy()
      wires.set(wire, installPay(wire, ctx))
      wire.once('close', () => wires.delete(wire))
    },
    verified(index) {
      verifiedPieces.add(index)
      for (const w of wires.values()) w.verified(index)
    },
    priceOf: (wire) => wires.get(wire)?.price() ?? 0,
    mayAsk: (wire, index) => wires.get(wire)?.mayAsk(index) ?? true,
    askable: (wire) => wires.get(wire)?.askable() ?? null,
    banned: () => [...banned],
    bytes: () => ({ ...bytes }),
    stop: () => wires.clear(),
  }
}

/**
 * Runs `hc_pay` on `torrent`: installs it on every new wire and pays on `verified`. Call it
 * right after `client.add`, before any wire connects, and give `priceOf` to the picker.
 * @example
 * const pay = attachPay(torrent, { infoHash, itemId, cardId }, { seller, buyer }, { onBan })
 * const picker = installPicker(torrent, { ...options, priceOf: pay.priceOf })
 */
export function attachPay(
  torrent: Torrent,
  t: PayTorrent,
  ports: PayPorts,
  hooks: PayHooks = {},
): PaySwarm {
  const pay = createPaySwarm(t, ports, {
    ...hooks,
    onPriceChange() {
      hooks.onPriceChange?.()
      // webtorrent picks again on its own events; a wire that became cheaper (or off
      // limits) should not wait for the next one.
      queueMicrotask(() => {
        if (torrent.ready && !torrent.destroyed) torrent._update()
      })
    },
  })
  const onWire = (wire: Wire) => pay.install(wire)
  const onVerified = (index: number) => pay.verified(index)
  torrent.on('wire', onWire)
  torrent.on('verified', onVerified)
  return {
    ...pay,
    stop() {
      torrent.removeListener('wire', onWire)
      torrent.removeListener('verified', onVerified)
      pay.stop()
    },
  }
}
