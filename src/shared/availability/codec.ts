/**
 * The availability summary (DESIGN §4.7), gossiped on `TOPICS.availability`: what one node
 * holds of some items and at what price, signed by the node's libp2p Ed25519 peer key.
 *
 * Binary, big-endian, strictly parsed: every value has exactly one encoding, so
 * `encode(decode(b))` is `b` for every accepted `b`, and a message is at most
 * {@link MAX_AVAILABILITY_BYTES} (checked before anything is read).
 *
 * | field | bytes | |
 * |---|---|---|
 * | version | 1 | {@link AVAILABILITY_VERSION} |
 * | signer | 32 | Ed25519 public key (the peer id's key) |
 * | timestamp | 6 | ms since the epoch (u48) |
 * | count | 1 | entries, 1–255 |
 * | entries | … | strictly ascending by infoHash (so no duplicates) |
 * | signature | 64 | Ed25519 over `"hashcard/avail/v1\0" ‖` everything above |
 *
 * An entry is `infoHash[20] ‖ slices u32 ‖ form u8 ‖ held ‖ priceLen u8 ‖ price[priceLen]`:
 * form 0 = complete (no `held` bytes), 1 = a count (`u32`, below `slices`), 2 = a BEP 3
 * bitfield (`⌈slices/8⌉` bytes, padding bits zero, at least one bit set and not all).
 * The price is wei per slice, minimal big-endian (no leading zero byte; 0 is empty), < 2^96.
 *
 * One message carries many items so one signature (and its check) serves them all: 1,000
 * complete, free items are 4 messages and ≈ 27 KB a minute. Each item's entry is still
 * signed, and still sent at most once a minute (src/node/seed/availability.ts).
 */
import { AvailabilityCodecError } from '../errors/seed.ts'
import { MAX_GOSSIP_BYTES } from '../topics.ts'

export const AVAILABILITY_VERSION = 1
/** The largest summary accepted or produced: the gossip limit. */
export const MAX_AVAILABILITY_BYTES = MAX_GOSSIP_BYTES
export const MAX_AVAILABILITY_ENTRIES = 255
export const INFO_HASH_BYTES = 20
export const SIGNER_BYTES = 32
export const SIGNATURE_BYTES = 64
/** version ‖ signer ‖ timestamp ‖ count. */
export const HEADER_BYTES = 1 + SIGNER_BYTES + 6 + 1
export const MAX_TIMESTAMP = 2 ** 48 - 1
export const MAX_SLICE_PRICE = 2n ** 96n - 1n
/** Prefixed to the signed bytes so the signature means nothing in any other protocol. */
export const AVAILABILITY_DOMAIN = new TextEncoder().encode('hashcard/avail/v1\0')

/** What a node holds of one item. */
export type AvailabilityEntry = {
  /** The item's BitTorrent infoHash (20 bytes). */
  infoHash: Uint8Array
  /** Slices in the item. */
  slices: number
  /** Slices held: `slices` when complete. */
  held: number
  /** Which slices, when sent as a bitfield (never for a complete item). */
  bitfield?: Uint8Array | undefined
  /** Wei per slice (0 = free). */
  price: bigint
}

/** A summary without its signature. */
export type AvailabilitySummary = {
  signer: Uint8Array
  /** ms since the epoch. */
  timestamp: number
  entries: AvailabilityEntry[]
}

/** A parsed message: the summary, the bytes its signature covers, and the signature. */
export type DecodedAvailability = {
  summary: AvailabilitySummary
  /** Everything before the signature (what {@link availabilitySigningBytes} prefixes). */
  body: Uint8Array
  signature: Uint8Array
}

function fail(what: string): never {
  throw new AvailabilityCodecError(`Availability summary: ${what}.`)
}

function popcount(b: Uint8Array): number {
  let n = 0
  for (const x of b) {
    let v = x
    while (v) {
      v &= v - 1
      n++
    }
  }
  return n
}

function priceBytes(p: bigint): Uint8Array {
  const out: number[] = []
  for (let v = p; v > 0n; v >>= 8n) out.unshift(Number(v & 0xffn))
  return Uint8Array.from(out)
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++)
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

/** Checks a bitfield's shape for `slices` (length, zero padding) and returns its popcount. */
function bitfieldCount(bf: Uint8Array, slices: number): number {
  if (bf.length !== Math.ceil(slices / 8))
    fail(`a bitfield for ${slices} slices must be ${Math.ceil(slices / 8)} bytes`)
  const spare = bf.length * 8 - slices
  if (spare > 0 && ((bf[bf.length - 1] as number) & ((1 << spare) - 1)) !== 0)
    fail('bitfield padding bits must be zero')
  return popcount(bf)
}

function checkEntry(e: AvailabilityEntry): void {
  if (!(e.infoHash instanceof Uint8Array) || e.infoHash.length !== INFO_HASH_BYTES)
    fail(`an infoHash must be ${INFO_HASH_BYTES} bytes`)
  if (!Number.isInteger(e.slices) || e.slices < 1 || e.slices > 0xffffffff)
    fail('slices must be a u32 ≥ 1')
  if (!Number.isInteger(e.held) || e.held < 0 || e.held > e.slices)
    fail(`held must be an integer in [0, ${e.slices}]`)
  if (typeof e.price !== 'bigint' || e.price < 0n || e.price > MAX_SLICE_PRICE)
    fail('a price must be in [0, 2^96) wei')
  if (e.bitfield !== undefined) {
    if (!(e.bitfield instanceof Uint8Array)) fail('a bitfield must be bytes')
    if (e.held === e.slices) fail('a complete item is sent without a bitfield')
    if (bitfieldCount(e.bitfield, e.slices) !== e.held) fail("held must be the bitfield's count")
    if (e.held === 0) fail('an empty holding is sent as a count, not a bitfield')
  }
}

/** Bytes an entry takes in a message (for packing messages under the size limit). */
export function encodedEntryBytes(e: AvailabilityEntry): number {
  const held = e.held === e.slices ? 0 : e.bitfield ? e.bitfield.length : 4
  return INFO_HASH_BYTES + 4 + 1 + held + 1 + priceBytes(e.price).length
}

function writeU32(out: Uint8Array, at: number, n: number): void {
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(at, n)
}

/**
 * Encodes a summary's signed part. Entries are sorted by infoHash (duplicates refused); throws
 * `AvailabilityCodecError` for anything the format cannot carry, or beyond the size limit.
 * @example const body = encodeAvailabilityBody({ signer, timestamp: Date.now(), entries })
 */
export function encodeAvailabilityBody(s: AvailabilitySummary): Uint8Array {
  if (!(s.signer instanceof Uint8Array) || s.signer.length !== SIGNER_BYTES)
    fail(`the signer must be ${SIGNER_BYTES} bytes`)
  if (!Number.isInteger(s.timestamp) || s.timestamp < 0 || s.timestamp > MAX_TIMESTAMP)
    fail('the timestamp must be a u48 of ms')
  if (s.entries.length < 1 || s.entries.length > MAX_AVAILABILITY_ENTRIES)
    fail(`a summary holds 1 to ${MAX_AVAILABILITY_ENTRIES} entries`)
  const entries = [...s.entries].sort((a, b) => compare(a.infoHash, b.infoHash))
  let size = HEADER_BYTES + SIGNATURE_BYTES
  for (const [i, e] of entries.entries()) {
    checkEntry(e)
    const prev = entries[i - 1]
    if (prev && compare(prev.infoHash, e.infoHash) === 0) fail('an infoHash appears twice')
    size += encodedEntryBytes(e)
  }
  if (size > MAX_AVAILABILITY_BYTES)
    fail(`${size} bytes is over the ${MAX_AVAILABILITY_BYTES}-byte limit`)
  const out = new Uint8Array(size - SIGNATURE_BYTES)
  out[0] = AVAILABILITY_VERSION
  out.set(s.signer, 1)
  const view = new DataView(out.buffer)
  view.setUint16(33, Math.floor(s.timestamp / 2 ** 32))
  view.setUint32(35, s.timestamp >>> 0)
  out[39] = entries.length
  let at = HEADER_BYTES
  for (const e of entries) {
    out.set(e.infoHash, at)
    writeU32(out, at + 20, e.slices)
    at += 24
    if (e.held === e.slices) out[at++] = 0
    else if (e.bitfield) {
      out[at++] = 2
      out.set(e.bitfield, at)
      at += e.bitfield.length
    } else {
      out[at++] = 1
      writeU32(out, at, e.held)
      at += 4
    }
    const p = priceBytes(e.price)
    out[at++] = p.length
    out.set(p, at)
    at += p.length
  }
  return out
}

/** The bytes a signature covers: the domain, then the body. */
export function availabilitySigningBytes(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(AVAILABILITY_DOMAIN.length + body.length)
  out.set(AVAILABILITY_DOMAIN)
  out.set(body, AVAILABILITY_DOMAIN.length)
  return out
}

/** Appends a 64-byte signature to a body from {@link encodeAvailabilityBody}. */
export function encodeAvailability(body: Uint8Array, signature: Uint8Array): Uint8Array {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES)
    fail(`a signature must be ${SIGNATURE_BYTES} bytes`)
  if (body.length + SIGNATURE_BYTES > MAX_AVAILABILITY_BYTES)
    fail('the message is over the size limit')
  const out = new Uint8Array(body.length + SIGNATURE_BYTES)
  out.set(body)
  out.set(signature, body.length)
  return out
}

/**
 * Parses a message; throws `AvailabilityCodecError` for anything but a canonical v1 summary.
 * Does not check the signature (src/node/seed/availability.ts does, after cheaper checks).
 * @example const { summary, body, signature } = decodeAvailability(msg.data)
 */
export function decodeAvailability(bytes: Uint8Array): DecodedAvailability {
  if (!(bytes instanceof Uint8Array)) fail('not bytes')
  if (bytes.length > MAX_AVAILABILITY_BYTES) fail(`over the ${MAX_AVAILABILITY_BYTES}-byte limit`)
  if (bytes.length < HEADER_BYTES + SIGNATURE_BYTES) fail('too short')
  if (bytes[0] !== AVAILABILITY_VERSION) fail(`unknown version ${bytes[0]}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const end = bytes.length - SIGNATURE_BYTES
  const timestamp = view.getUint16(33) * 2 ** 32 + view.getUint32(35)
  const count = bytes[39] as number
  if (count < 1) fail('no entries')
  const entries: AvailabilityEntry[] = []
  let at = HEADER_BYTES
  const need = (n: number): void => {
    if (at + n > end) fail('truncated entry')
  }
  for (let i = 0; i < count; i++) {
    need(25)
    const infoHash = bytes.slice(at, at + 20)
    const prev = entries[i - 1]
    if (prev && compare(prev.infoHash, infoHash) >= 0)
      fail('entries must be in strictly ascending infoHash order')
    const slices = view.getUint32(at + 20)
    if (slices < 1) fail('slices must be ≥ 1')
    const form = bytes[at + 24] as number
    at += 25
    const entry: AvailabilityEntry = { infoHash, slices, held: slices, price: 0n }
    if (form === 1) {
      need(4)
      entry.held = view.getUint32(at)
      if (entry.held >= slices) fail('a count must be below slices (a complete item is form 0)')
      at += 4
    } else if (form === 2) {
      const n = Math.ceil(slices / 8)
      need(n)
      entry.bitfield = bytes.slice(at, at + n)
      entry.held = bitfieldCount(entry.bitfield, slices)
      if (entry.held === 0 || entry.held === slices)
        fail('a bitfield must be neither empty nor full')
      at += n
    } else if (form !== 0) fail(`unknown holding form ${form}`)
    need(1)
    const len = bytes[at++] as number
    if (len > 12) fail('a price must be below 2^96')
    need(len)
    if (len > 0 && bytes[at] === 0) fail('a price must not start with a zero byte')
    for (let k = 0; k < len; k++)
      entry.price = (entry.price << 8n) | BigInt(bytes[at + k] as number)
    at += len
    entries.push(entry)
  }
  if (at !== end) fail('bytes left over after the entries')
  return {
    summary: { signer: bytes.slice(1, 33), timestamp, entries },
    body: bytes.subarray(0, end),
    signature: bytes.slice(end),
  }
}
