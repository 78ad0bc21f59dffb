/**
 * Sending availability summaries (DESIGN §4.7): sign them, verify them, and announce each held
 * item at most once a minute. The format is src/shared/availability/codec.ts; folding received
 * summaries into each card's health is health.ts.
 *
 * Signatures are Ed25519 (RFC 8032) by the node's libp2p peer key, checked strictly
 * (`zip215: false`: canonical encodings only, as RFC 8032 §5.1.7 says). Why that key rather
 * than the EVM account (secp256k1, as cheques): the peer id is what the swarm connects to and
 * what gossipsub's own envelope is signed with, so a summary names a peer that can be dialled
 * and the relay path adds nothing a forger could use; Ed25519 also verifies faster in JS and
 * its signature is 64 bytes instead of 65. Payment terms (the payee address) still travel on
 * the wire in `hc_pay`; the summary's price is a hint for choosing seeders, not a contract.
 *
 * Ed25519 lives here rather than in src/node/crypto/ for now because this work could only add
 * files; it is two calls to @noble/curves and moves there when the service is wired.
 */

import type { PrivateKey } from '@libp2p/interface'
import {
  type AvailabilityEntry,
  availabilitySigningBytes,
  type DecodedAvailability,
  encodeAvailability,
  encodeAvailabilityBody,
  encodedEntryBytes,
  HEADER_BYTES,
  MAX_AVAILABILITY_BYTES,
  MAX_AVAILABILITY_ENTRIES,
  SIGNATURE_BYTES,
  SIGNER_BYTES,
} from '../../shared/availability/codec.ts'
import { InvalidInputError } from '../../shared/errors/common.ts'
import { ed25519Signer, ed25519Verify } from '../crypto/ed25519.ts'

/** Signs summaries: the node's Ed25519 public key and a signing function. */
export type AvailabilitySigner = {
  /** 32 bytes: the Ed25519 public key inside the node's peer id. */
  publicKey: Uint8Array
  /** Ed25519 over `message` (libp2p's `PrivateKey.sign` fits as it is). */
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>
}

/** At most one summary of an item per this interval (DESIGN §4.7: once a minute). */
export const ANNOUNCE_INTERVAL_MS = 60_000
/**
 * Partial items are sent as a bitfield up to this size (512 slices, 128 MiB at 256 KiB), which
 * lets peers see which slices they could fetch here; larger ones as a count, to keep a
 * summary of many items under the gossip limit.
 */
export const MAX_ANNOUNCED_BITFIELD_BYTES = 64

/**
 * A signer from a 32-byte Ed25519 secret key (the first half of libp2p's 64-byte raw key).
 * @example const signer = ed25519AvailabilitySigner(peerKey.raw.subarray(0, 32))
 */
export function ed25519AvailabilitySigner(secretKey: Uint8Array): AvailabilitySigner {
  return ed25519Signer(secretKey)
}

/**
 * A signer over the node's libp2p peer key, as the network runs it (its `sign` is Ed25519).
 * Throws InvalidInputError for a key of another type: summaries are Ed25519 only.
 * @example const signer = peerKeySigner((await network.current()).peerKey)
 */
export function peerKeySigner(key: PrivateKey): AvailabilitySigner {
  if (key.type !== 'Ed25519')
    throw new InvalidInputError(`peerKey: expected an Ed25519 key, got ${key.type}`)
  return { publicKey: key.publicKey.raw, sign: (m) => key.sign(m) }
}

/**
 * Encodes and signs one summary. Throws `AvailabilityCodecError` for values the format cannot
 * carry (including more than the size limit).
 * @example const msg = await signAvailability(signer, { timestamp: Date.now(), entries })
 */
export async function signAvailability(
  signer: AvailabilitySigner,
  summary: { timestamp: number; entries: AvailabilityEntry[] },
): Promise<Uint8Array> {
  const body = encodeAvailabilityBody({ ...summary, signer: signer.publicKey })
  const signature = await signer.sign(availabilitySigningBytes(body))
  return encodeAvailability(body, signature)
}

/**
 * Checks a decoded summary's signature against its own signer key (never throws).
 * @example if (!verifyAvailability(decodeAvailability(bytes))) drop()
 */
export function verifyAvailability(decoded: DecodedAvailability): boolean {
  const { summary, body, signature } = decoded
  if (summary.signer.length !== SIGNER_BYTES || signature.length !== SIGNATURE_BYTES) return false
  return ed25519Verify(signature, availabilitySigningBytes(body), summary.signer)
}

/** "At most once per interval per key", with bounded memory. */
export type AnnounceLimiter = {
  /** True when `key` may be sent now (never sent, or last sent an interval ago). */
  ready(key: string, now: number): boolean
  /** Records that `key` was sent at `now`. */
  mark(key: string, now: number): void
  /** `ready` then `mark`; false when refused. */
  tryAcquire(key: string, now: number): boolean
  readonly size: number
}

/**
 * Creates a limiter. Keys last sent more than an interval ago carry no information, so they
 * are pruned when the map passes `maxKeys`; if it is still full of live keys, new keys are
 * refused rather than breaking the once-per-interval promise for old ones.
 * @example const limiter = createAnnounceLimiter(); if (limiter.tryAcquire(ih, Date.now())) send()
 */
export function createAnnounceLimiter(
  opts: { intervalMs?: number; maxKeys?: number } = {},
): AnnounceLimiter {
  const interval = opts.intervalMs ?? ANNOUNCE_INTERVAL_MS
  const maxKeys = opts.maxKeys ?? 100_000
  const last = new Map<string, number>()
  const prune = (now: number): void => {
    for (const [k, t] of last) if (now - t >= interval) last.delete(k)
  }
  const ready = (key: string, now: number): boolean => {
    const t = last.get(key)
    if (t !== undefined) return now - t >= interval
    if (last.size >= maxKeys) prune(now)
    return last.size < maxKeys
  }
  return {
    ready,
    mark(key, now) {
      last.delete(key) // re-insert so the map stays in send order
      last.set(key, now)
    },
    tryAcquire(key, now) {
      if (!ready(key, now)) return false
      last.delete(key)
      last.set(key, now)
      return true
    },
    get size() {
      return last.size
    },
  }
}

/** An item this node holds, as the store knows it. */
export type HeldItem = {
  infoHash: Uint8Array
  slices: number
  /** The store's BEP 3 bitfield; or give `held` alone. */
  bitfield?: Uint8Array | undefined
  held?: number | undefined
  /** The item's effective price per slice (settings). */
  price: bigint
}

const hexOf = (b: Uint8Array): string => {
  let s = '0x'
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

/** The entry the codec sends for a held item: complete, a bitfield, or a count. */
export function entryFor(item: HeldItem): AvailabilityEntry {
  const { infoHash, slices, price } = item
  if (!item.bitfield) {
    const held = item.held ?? 0
    return { infoHash, slices, held, price }
  }
  // Copy with the padding bits cleared: the store's may hold stale bits past the last slice.
  const bitfield = item.bitfield.slice(0, Math.ceil(slices / 8))
  const spare = bitfield.length * 8 - slices
  if (spare > 0 && bitfield.length > 0)
    bitfield[bitfield.length - 1] = (bitfield[bitfield.length - 1] as number) & (0xff << spare)
  let held = 0
  for (let i = 0; i < slices; i++) if ((bitfield[i >> 3] ?? 0) & (0x80 >> (i & 7))) held++
  if (held === slices) return { infoHash, slices, held, price }
  if (held === 0 || bitfield.length > MAX_ANNOUNCED_BITFIELD_BYTES)
    return { infoHash, slices, held, price }
  return { infoHash, slices, held, bitfield, price }
}

/** Turns the held items due for announcing into signed messages. */
export type Announcer = {
  /**
   * Signs summaries for every item in `held` whose last announcement is at least an interval
   * old (each at most once per interval), packed into as few messages as the limits allow.
   * An item that stopped being held can be withdrawn by passing it with `held: 0`.
   */
  announce(held: readonly HeldItem[], now: number): Promise<Uint8Array[]>
}

/**
 * Creates the sender side. The node calls `announce` every few seconds with the store's items
 * and publishes the result on `TOPICS.availability`.
 * @example
 * const announcer = createAnnouncer({ signer })
 * for (const msg of await announcer.announce(items, Date.now())) await pubsub.publish(topic, msg)
 */
export function createAnnouncer(init: {
  signer: AvailabilitySigner
  limiter?: AnnounceLimiter
  maxBytes?: number
}): Announcer {
  const limiter = init.limiter ?? createAnnounceLimiter()
  const maxBytes = Math.min(init.maxBytes ?? MAX_AVAILABILITY_BYTES, MAX_AVAILABILITY_BYTES)
  return {
    async announce(held, now) {
      const due = new Map<string, AvailabilityEntry>()
      for (const item of held) {
        const key = hexOf(item.infoHash)
        if (!due.has(key) && limiter.ready(key, now)) due.set(key, entryFor(item))
      }
      const batches: { key: string; entry: AvailabilityEntry }[][] = []
      let batch: { key: string; entry: AvailabilityEntry }[] = []
      let size = HEADER_BYTES + SIGNATURE_BYTES
      for (const [key, entry] of due) {
        const n = encodedEntryBytes(entry)
        if (HEADER_BYTES + SIGNATURE_BYTES + n > maxBytes) continue // can never fit: skip it
        if (batch.length === MAX_AVAILABILITY_ENTRIES || size + n > maxBytes) {
          batches.push(batch)
          batch = []
          size = HEADER_BYTES + SIGNATURE_BYTES
        }
        batch.push({ key, entry })
        size += n
      }
      if (batch.length > 0) batches.push(batch)
      const out: Uint8Array[] = []
      for (const b of batches) {
        out.push(
          await signAvailability(init.signer, { timestamp: now, entries: b.map((x) => x.entry) }),
        )
        // Marked only once signed, so a failed signature does not silence the item for a minute.
        for (const { key } of b) limiter.mark(key, now)
      }
      return out
    },
  }
}
