/**
 * What the `hc_pay` wire extension (extension.ts) asks of the pay service (service.ts), so the
 * two are built and tested apart. Everything on the per-slice path is synchronous, from memory
 * the service keeps current (the ledger's lines, log sync's chain view): no RPC, no IndexedDB
 * wait before a slice is served or a cheque judged (DESIGN §4.6).
 */
import type { Address, Hex } from 'viem'
import type { PayerView } from './credit.ts'
import type { PayerLine, TermsVerdict } from './spend.ts'
import type { PayHello, PayTerms, RejectCode, WireCheque } from './wire.ts'

/** The torrent a wire belongs to, as the swarm knows it. */
export type PayTorrent = {
  infoHash: string
  itemId: string
  /** The card the item is sold under; null when the swarm knows none (then no payments). */
  cardId: Hex | null
}

/** The seeder's side. */
export interface SellerPort {
  /**
   * Terms to announce on a new wire of this torrent (price 0n = free), or null when this node
   * cannot be paid (no chain or account, no card): it then serves free and says nothing.
   */
  terms(t: PayTorrent): PayTerms | null
  /** The newest cumulative held from `payer` on (payer, this node, cardId); 0n if none. */
  held(payer: Address, cardId: Hex): bigint
  /** The chain's view of `payer` for that line (cached; log sync keeps it current). */
  view(payer: Address, cardId: Hex): PayerView
  /** A signature check for that line: `(cumulative, signature) → valid`, never throws. */
  verifier(payer: Address, cardId: Hex): (cumulative: bigint, signature: Uint8Array) => boolean
  /**
   * An accepted cheque, with the slices and bytes served since the previous one. The service
   * updates what {@link held} and {@link view} return at once (before the promise settles)
   * and persists it to the ledger.
   */
  accepted(
    payer: Address,
    cardId: Hex,
    cheque: WireCheque,
    served: { slices: number; bytes: number },
  ): Promise<void>
  /** A peer was banned on this torrent (for the page's log and the swarm's ban list). */
  banned(t: PayTorrent, peerId: string, reason: RejectCode): void
  /**
   * Calls `fn` whenever `payer`'s book as {@link view} sees it changes (its first read, a
   * deposit, a withdrawal, a cash); returns the call that stops it. A wire held because the
   * book could not cover the next slice is served again at once, not at webtorrent's next
   * rechoke (up to 10 s later). Optional: without it such a wire waits for that rechoke.
   */
  onBookChange?(payer: Address, fn: () => void): () => void
}

/** The payer's side. */
export interface BuyerPort {
  /** The hello to answer priced terms with, or null when this node cannot pay. */
  hello(t: PayTorrent, terms: PayTerms): PayHello | null
  /** Whether to pay on these terms (chain, chequebook, card, the user's maximum price). */
  judge(t: PayTorrent, terms: PayTerms): TermsVerdict
  /**
   * The payer line for (this node, terms.payee, cardId), resuming from the ledger's newest
   * signed cumulative; one per line even when several wires share it.
   */
  line(t: PayTorrent, terms: PayTerms): Promise<PayerLine>
  /** Whether a receipt's cheque is this node's signature on that line. */
  ownCheque(t: PayTorrent, terms: PayTerms, cheque: WireCheque): boolean
  /** A seeder's reject or a cap reached (SpendingCapError): the page hears why it stopped. */
  stopped(t: PayTorrent, why: { code: RejectCode; value: bigint } | { cap: string }): void
}
