/**
 * Content-key wrapping (DESIGN §4.4) with HPKE, RFC 9180 base mode, suite
 * DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-128-GCM (kem 0x0020, kdf 0x0001, aead 0x0001)
 * through @hpke/core, which runs every step on WebCrypto (X25519 included, in Node 20 and
 * Chromium) and is tested against the RFC's vectors. AES-128-GCM is the suite the RFC gives
 * vectors for (A.1), so our own tests replay them.
 *
 * info = "hashcard/v1/key" ‖ cardId (32 bytes) ‖ u256be(tokenId): a sealed key opens only for
 * the card and token it was delivered for. A wrapped key is enc (32) ‖ ct (32 + 16) = 80 bytes.
 */
import {
  Aes128Gcm,
  CipherSuite,
  DhkemX25519HkdfSha256,
  HkdfSha256,
  type SenderContextParams,
} from '@hpke/core'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { KeyUnwrapError } from '../../shared/errors/crypto.ts'
import { bs, checkBytes } from './bytes.ts'

export const WRAP_INFO_PREFIX = 'hashcard/v1/key'
export const WRAPPED_KEY_BYTES = 80

/** The HPKE suite of key wrapping. */
export function wrapSuite(): CipherSuite {
  return new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Aes128Gcm(),
  })
}

/** The HPKE `info` binding a wrapped key to one card and one key token. */
export function wrapInfo(cardId: Uint8Array, tokenId: bigint): Uint8Array<ArrayBuffer> {
  checkBytes('cardId', cardId, 32)
  if (typeof tokenId !== 'bigint' || tokenId < 0n || tokenId >= 2n ** 256n)
    throw new RangeError(`tokenId: expected uint256, got ${String(tokenId)}`)
  const prefix = utf8ToBytes(WRAP_INFO_PREFIX)
  const out = new Uint8Array(prefix.length + 64)
  out.set(prefix)
  out.set(cardId, prefix.length)
  let t = tokenId
  for (let i = out.length - 1; i >= prefix.length + 32; i--) {
    out[i] = Number(t & 0xffn)
    t >>= 8n
  }
  return out
}

/**
 * Seals a 32-byte content key to a recipient's X25519 wrap key for (cardId, tokenId).
 * `ephemeralSeed` is for test vectors only (it fixes the ephemeral key).
 * @example const wrapped = await sealContentKey(buyerWrapPub, key, cardId, 7n)
 */
export async function sealContentKey(
  recipientPublic: Uint8Array,
  contentKey: Uint8Array,
  cardId: Uint8Array,
  tokenId: bigint,
  options: { ephemeralSeed?: Uint8Array } = {},
): Promise<Uint8Array> {
  checkBytes('recipientPublic', recipientPublic, 32)
  checkBytes('contentKey', contentKey, 32)
  const suite = wrapSuite()
  const params: SenderContextParams = {
    recipientPublicKey: await suite.kem.importKey('raw', bs(recipientPublic).slice().buffer, true),
    info: wrapInfo(cardId, tokenId).buffer,
  }
  if (options.ephemeralSeed)
    params.ekm = await suite.kem.deriveKeyPair(bs(options.ephemeralSeed).slice().buffer)
  const { enc, ct } = await suite.seal(params, bs(contentKey).slice().buffer)
  const out = new Uint8Array(enc.byteLength + ct.byteLength)
  out.set(new Uint8Array(enc))
  out.set(new Uint8Array(ct), enc.byteLength)
  return out
}

/**
 * Opens a wrapped content key with the recipient's X25519 secret. Throws {@link KeyUnwrapError}
 * when it was sealed to someone else, for another card or token, or altered.
 */
export async function openContentKey(
  recipientSecret: Uint8Array,
  wrapped: Uint8Array,
  cardId: Uint8Array,
  tokenId: bigint,
): Promise<Uint8Array> {
  checkBytes('recipientSecret', recipientSecret, 32)
  checkBytes('wrapped', wrapped, WRAPPED_KEY_BYTES)
  const info = wrapInfo(cardId, tokenId)
  const suite = wrapSuite()
  try {
    const recipientKey = await suite.kem.importKey('raw', bs(recipientSecret).slice().buffer, false)
    const pt = await suite.open(
      { recipientKey, enc: wrapped.slice(0, 32).buffer, info: info.buffer },
      wrapped.slice(32).buffer,
    )
    return new Uint8Array(pt)
  } catch (cause) {
    throw new KeyUnwrapError('The content key did not open with this identity.', {
      details: 'HPKE open failed: another recipient, card or token, or altered bytes',
      cause,
    })
  }
}
