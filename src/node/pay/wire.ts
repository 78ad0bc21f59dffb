/**
 * The `hc_pay` BEP-10 extension's messages (DESIGN §4.6), binary and strictly parsed.
 *
 * Every message is `type u8 ‖ body`; integers are big-endian.
 *
 * | type | message | body |
 * |---|---|---|
 * | 1 | terms (seeder → peer, once per wire) | `v u8 ‖ chainId u64 ‖ chequebook[20] ‖ payee[20] ‖ cardId[32] ‖ price u96 ‖ credit u32` |
 * | 2 | hello (payer → seeder, once per wire) | `v u8 ‖ chainId u64 ‖ cardId[32] ‖ payer[20]` |
 * | 3 | cheque (payer → seeder, per slice) | `cumulative[1..12] ‖ signature[65]` |
 * | 4 | receipt (seeder → payer) | empty, or the newest cheque held on this line, as in `cheque` |
 * | 5 | reject (seeder → payer) | `code u8 ‖ value[0..32]` |
 * | 6 | next (payer → seeder, per slice) | `slices[1..4] ‖ signature[65]` |
 *
 * A cheque's cumulative is the minimal big-endian encoding of a number in `[1, 2^96)` (its
 * length is what is left after the signature, so no length byte): 96 bits is what the
 * contract's lines hold. A cheque is 67–78 bytes, 73–84 with BEP-10's 6-byte framing; payer,
 * payee and cardId are implied by the wire (hello and terms).
 *
 * `next` is the same cheque, its cumulative written relative to the previous cheque on this
 * wire: previous cumulative + `slices` × the terms' price (minimal big-endian, `[1, 2^32)`).
 * The signature still covers the whole cumulative; the wire is ordered and reliable, so both
 * ends know the previous one. The first cheque on a wire, and any whose step is not a whole
 * number of slices, go as `cheque`. A `next` is 67 bytes, 73 with the framing, whatever the
 * amounts: 2.8 × 10⁻⁴ of a 256 KiB slice (see `compactCheque` and `expandNext`).
 * The receipt lets a payer that lost its ledger resume from a cheque it can check it signed.
 */
import { type Address, bytesToHex, getAddress, type Hex } from 'viem'
import { InvalidInputError } from '../../shared/errors/common.ts'

/** The extension's name in the BEP-10 handshake. */
export const HC_PAY = 'hc_pay'
/** The protocol version carried by terms and hello. */
export const PAY_VERSION = 1
/** The most slices one `next` can pay for. */
export const MAX_NEXT_SLICES = 2n ** 32n - 1n
/** No message is longer (terms: 98 bytes). */
export const MAX_PAY_MESSAGE_BYTES = 98
/** The largest cumulative or price a cheque can carry: the contract's 96-bit lines. */
export const MAX_CUMULATIVE = 2n ** 96n - 1n
/** Bytes of a cheque's signature (`r ‖ s ‖ v`, v = 27 or 28). */
export const SIGNATURE_BYTES = 65

/** Why a seeder refused a cheque or a payer; `value` depends on the code (see each). */
export const rejectCodes = {
  /** The signature is not the payer's. Bans. */
  bad_signature: 1,
  /** The cheque does not pay one more slice; value: the least cumulative accepted. Bans. */
  underpaid: 2,
  /** Not above the newest cheque held; value: the cumulative held. Bans. */
  replayed: 3,
  /** The payer's book cannot cover it; value: wei still uncommitted in it. Chokes. */
  over_balance: 4,
  /** Hello or terms name another card. */
  wrong_card: 5,
  /** Hello names another chain (or protocol version); value: the seeder's chain id. */
  wrong_chain: 6,
  /** A message did not parse. Bans. */
  malformed: 7,
  /** The peer is banned on this torrent; nothing more is read from it. */
  banned: 8,
} as const
export type RejectCode = keyof typeof rejectCodes
const codeNames = new Map<number, RejectCode>(
  Object.entries(rejectCodes).map(([k, v]) => [v, k as RejectCode]),
)

/** A seeder's terms for this wire. `price` 0 means free. */
export type PayTerms = {
  type: 'terms'
  chainId: number
  chequebook: Address
  payee: Address
  cardId: Hex
  /** Wei per slice. */
  price: bigint
  /** Slices served ahead of payment. */
  credit: number
}
/** Who will pay on this wire, for which card and chain. */
export type PayHello = { type: 'hello'; chainId: number; cardId: Hex; payer: Address }
/** A cheque's body: cumulative wei on (payer, payee, cardId) and its 65-byte signature. */
export type WireCheque = { cumulative: bigint; signature: Uint8Array }
export type PayCheque = { type: 'cheque' } & WireCheque
/** The newest cheque the seeder holds on this line, or none. */
export type PayReceipt = { type: 'receipt'; cheque: WireCheque | null }
export type PayReject = { type: 'reject'; code: RejectCode; value: bigint }
/** A cheque for the previous cumulative on this wire plus `slices` × the terms' price. */
export type PayNext = { type: 'next'; slices: bigint; signature: Uint8Array }
/** Any `hc_pay` message. */
export type PayMessage = PayTerms | PayHello | PayCheque | PayReceipt | PayReject | PayNext

const TYPE = { terms: 1, hello: 2, cheque: 3, receipt: 4, reject: 5, next: 6 } as const
const TERMS_BYTES = 98
const HELLO_BYTES = 62

function fail(what: string): never {
  throw new InvalidInputError(`hc_pay: ${what}`)
}

/** Minimal big-endian bytes of `n` (empty for 0). */
function uintBytes(n: bigint): Uint8Array {
  const out: number[] = []
  for (let v = n; v > 0n; v >>= 8n) out.unshift(Number(v & 0xffn))
  return Uint8Array.from(out)
}

function readUint(b: Uint8Array, start: number, end: number): bigint {
  let v = 0n
  for (let i = start; i < end; i++) v = (v << 8n) | BigInt(b[i] as number)
  return v
}

function writeUint(out: Uint8Array, at: number, width: number, n: bigint): void {
  let v = n
  for (let i = at + width - 1; i >= at; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
}

function hexBytes(hex: string, length: number, what: string): Uint8Array {
  if (!new RegExp(`^0x[0-9a-fA-F]{${length * 2}}$`).test(hex))
    fail(`${what} must be ${length} bytes`)
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(hex.slice(2 + i * 2, 4 + i * 2), 16)
  return out
}

function checkChainId(id: number): void {
  if (!Number.isSafeInteger(id) || id <= 0) fail(`chain id ${id} is not a positive safe integer`)
}

function checkCumulative(n: bigint, what: string): void {
  if (typeof n !== 'bigint' || n < 1n || n > MAX_CUMULATIVE)
    fail(`${what} must be in [1, 2^96) wei`)
}

function chequeBody(c: WireCheque): Uint8Array {
  checkCumulative(c.cumulative, 'a cheque cumulative')
  checkSignature(c.signature)
  const n = uintBytes(c.cumulative)
  const out = new Uint8Array(n.length + SIGNATURE_BYTES)
  out.set(n)
  out.set(c.signature, n.length)
  return out
}

function checkSignature(signature: Uint8Array): void {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES)
    fail(`a signature must be ${SIGNATURE_BYTES} bytes`)
}

function readCheque(b: Uint8Array): WireCheque {
  const n = b.length - 1 - SIGNATURE_BYTES
  if (n < 1 || n > 12) fail(`a cheque must be 67 to 78 bytes (got ${b.length})`)
  if (b[1] === 0) fail('a cheque cumulative must not start with a zero byte')
  return {
    cumulative: readUint(b, 1, 1 + n),
    signature: b.slice(1 + n),
  }
}

/**
 * Encodes an `hc_pay` message; throws `InvalidInputError` for values the format cannot carry.
 * @example wire.extended('hc_pay', encodePayMessage({ type: 'cheque', cumulative, signature }))
 */
export function encodePayMessage(m: PayMessage): Uint8Array {
  switch (m.type) {
    case 'terms': {
      checkChainId(m.chainId)
      if (typeof m.price !== 'bigint' || m.price < 0n || m.price > MAX_CUMULATIVE)
        fail('a price must be in [0, 2^96) wei')
      if (!Number.isInteger(m.credit) || m.credit < 0 || m.credit > 0xffffffff)
        fail('credit must be a u32')
      const out = new Uint8Array(TERMS_BYTES)
      out[0] = TYPE.terms
      out[1] = PAY_VERSION
      writeUint(out, 2, 8, BigInt(m.chainId))
      out.set(hexBytes(m.chequebook, 20, 'the chequebook'), 10)
      out.set(hexBytes(m.payee, 20, 'the payee'), 30)
      out.set(hexBytes(m.cardId, 32, 'the card id'), 50)
      writeUint(out, 82, 12, m.price)
      writeUint(out, 94, 4, BigInt(m.credit))
      return out
    }
    case 'hello': {
      checkChainId(m.chainId)
      const out = new Uint8Array(HELLO_BYTES)
      out[0] = TYPE.hello
      out[1] = PAY_VERSION
      writeUint(out, 2, 8, BigInt(m.chainId))
      out.set(hexBytes(m.cardId, 32, 'the card id'), 10)
      out.set(hexBytes(m.payer, 20, 'the payer'), 42)
      return out
    }
    case 'cheque':
    case 'receipt': {
      const body = m.type === 'cheque' ? chequeBody(m) : m.cheque ? chequeBody(m.cheque) : null
      const out = new Uint8Array(1 + (body?.length ?? 0))
      out[0] = TYPE[m.type]
      if (body) out.set(body, 1)
      return out
    }
    case 'next': {
      if (typeof m.slices !== 'bigint' || m.slices < 1n || m.slices > MAX_NEXT_SLICES)
        fail('next must pay for 1 to 2^32 - 1 slices')
      checkSignature(m.signature)
      const n = uintBytes(m.slices)
      const out = new Uint8Array(1 + n.length + SIGNATURE_BYTES)
      out[0] = TYPE.next
      out.set(n, 1)
      out.set(m.signature, 1 + n.length)
      return out
    }
    case 'reject': {
      const code = rejectCodes[m.code]
      if (code === undefined) fail(`unknown reject code ${String(m.code)}`)
      if (typeof m.value !== 'bigint' || m.value < 0n || m.value >= 2n ** 256n)
        fail('a reject value must be a uint256')
      const v = uintBytes(m.value)
      const out = new Uint8Array(2 + v.length)
      out[0] = TYPE.reject
      out[1] = code
      out.set(v, 2)
      return out
    }
    default:
      return fail(`unknown message type ${String((m as { type: unknown }).type)}`)
  }
}

function readVersionAndChain(b: Uint8Array): number {
  if (b[1] !== PAY_VERSION) fail(`unsupported version ${b[1]}`)
  const chainId = readUint(b, 2, 10)
  if (chainId === 0n || chainId > BigInt(Number.MAX_SAFE_INTEGER))
    fail(`chain id ${chainId} is out of range`)
  return Number(chainId)
}

/**
 * Parses an `hc_pay` message from a peer. Throws `InvalidInputError` (and nothing else) for
 * anything that is not exactly one well-formed message.
 * @example const m = decodePayMessage(buf); if (m.type === 'cheque') line.onCheque(m)
 */
export function decodePayMessage(b: Uint8Array): PayMessage {
  if (!(b instanceof Uint8Array)) fail('a message must be bytes')
  if (b.length === 0) fail('empty message')
  if (b.length > MAX_PAY_MESSAGE_BYTES)
    fail(`a message is at most ${MAX_PAY_MESSAGE_BYTES} bytes (got ${b.length})`)
  switch (b[0]) {
    case TYPE.terms: {
      if (b.length !== TERMS_BYTES) fail(`terms must be ${TERMS_BYTES} bytes (got ${b.length})`)
      const chainId = readVersionAndChain(b)
      const price = readUint(b, 82, 94)
      const credit = Number(readUint(b, 94, 98))
      return {
        type: 'terms',
        chainId,
        chequebook: getAddress(bytesToHex(b.subarray(10, 30))),
        payee: getAddress(bytesToHex(b.subarray(30, 50))),
        cardId: bytesToHex(b.subarray(50, 82)),
        price,
        credit,
      }
    }
    case TYPE.hello: {
      if (b.length !== HELLO_BYTES) fail(`hello must be ${HELLO_BYTES} bytes (got ${b.length})`)
      const chainId = readVersionAndChain(b)
      return {
        type: 'hello',
        chainId,
        cardId: bytesToHex(b.subarray(10, 42)),
        payer: getAddress(bytesToHex(b.subarray(42, 62))),
      }
    }
    case TYPE.cheque:
      return { type: 'cheque', ...readCheque(b) }
    case TYPE.receipt:
      return { type: 'receipt', cheque: b.length === 1 ? null : readCheque(b) }
    case TYPE.next: {
      const n = b.length - 1 - SIGNATURE_BYTES
      if (n < 1 || n > 4) fail(`next must be 67 to 70 bytes (got ${b.length})`)
      if (b[1] === 0) fail('next slices must not start with a zero byte')
      return { type: 'next', slices: readUint(b, 1, 1 + n), signature: b.slice(1 + n) }
    }
    case TYPE.reject: {
      if (b.length < 2 || b.length > 34) fail(`a reject must be 2 to 34 bytes (got ${b.length})`)
      const code = codeNames.get(b[1] as number)
      if (!code) fail(`unknown reject code ${b[1]}`)
      if (b.length > 2 && b[2] === 0) fail('a reject value must not start with a zero byte')
      return { type: 'reject', code, value: readUint(b, 2, b.length) }
    }
    default:
      return fail(`unknown message type ${b[0]}`)
  }
}

/**
 * How a payer writes `cheque` on a wire whose previous cheque was `previous` (null: none yet)
 * and whose terms charge `price` per slice: as `next` when it pays a whole number of slices
 * more, else as it is (the first cheque, a free wire, or a step the seeder will judge).
 * @example link.send(compactCheque(cheque, lastSent, terms.price))
 */
export function compactCheque(
  cheque: WireCheque,
  previous: bigint | null,
  price: bigint,
): PayCheque | PayNext {
  const whole = { type: 'cheque' as const, ...cheque }
  if (previous === null || price <= 0n) return whole
  const step = cheque.cumulative - previous
  if (step <= 0n || step % price !== 0n || step / price > MAX_NEXT_SLICES) return whole
  return { type: 'next', slices: step / price, signature: cheque.signature }
}

/**
 * The cheque a `next` stands for, given the previous cumulative received on the wire and this
 * seeder's price. Throws `InvalidInputError` when it cannot stand for one: no cheque came
 * before it, the wire is free, or the sum passes the contract's 96 bits.
 * @example const cheque = expandNext(m, lastReceived, terms.price)
 */
export function expandNext(next: PayNext, previous: bigint | null, price: bigint): WireCheque {
  if (previous === null) fail('next before any cheque on this wire')
  if (price <= 0n) fail('next on a free wire')
  const cumulative = previous + next.slices * price
  checkCumulative(cumulative, 'the cumulative next stands for')
  return { cumulative, signature: next.signature }
}
