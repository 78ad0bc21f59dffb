/**
 * Content keys and slice AEAD (DESIGN §2).
 *
 * - key_i   = HKDF-SHA256(IKM = content master, salt = contentSalt (16 bytes),
 *             info = "hashcard/v1/content", L = 32): one AES-256 key per item.
 * - nonce_i = u8(last) ‖ 0x000000 ‖ u64be(i) (96 bits). Keys are unique per item, so these
 *             deterministic nonces never repeat under one key; `last` stops truncation and
 *             `i` stops reordering.
 * - AAD     = "hashcard/v1" ‖ contentSalt.
 * - slice_i = AES-256-GCM(key, nonce_i, AAD, plaintext_i) = ciphertext ‖ 16-byte tag (WebCrypto).
 */
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { SliceAuthError } from '../../shared/errors/crypto.ts'
import { bs, checkBytes, checkInt, writeU64be } from './bytes.ts'
import { TAG_BYTES } from './layout.ts'

export const CONTENT_VERSION = 'hashcard/v1'
export const CONTENT_KEY_INFO = 'hashcard/v1/content'
export const SALT_BYTES = 16

/** A new random 16-byte content salt. */
export function randomSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SALT_BYTES))
}

/**
 * The raw 32-byte content key of one item. Free cards carry it inline; paid ones seal it (hpke.ts).
 * @example const key = deriveContentKey(id.contentMaster, salt)
 */
export function deriveContentKey(contentMaster: Uint8Array, contentSalt: Uint8Array): Uint8Array {
  checkBytes('contentMaster', contentMaster, 32)
  checkBytes('contentSalt', contentSalt, SALT_BYTES)
  return hkdf(sha256, contentMaster, contentSalt, utf8ToBytes(CONTENT_KEY_INFO), 32)
}

/** Imports a raw content key as a non-extractable WebCrypto AES-GCM key. */
export async function importContentKey(raw: Uint8Array): Promise<CryptoKey> {
  checkBytes('contentKey', raw, 32)
  return crypto.subtle.importKey('raw', bs(raw), 'AES-GCM', false, ['encrypt', 'decrypt'])
}

/** AAD of every slice of an item: "hashcard/v1" ‖ contentSalt. */
export function contentAad(contentSalt: Uint8Array): Uint8Array<ArrayBuffer> {
  checkBytes('contentSalt', contentSalt, SALT_BYTES)
  const prefix = utf8ToBytes(CONTENT_VERSION)
  const out = new Uint8Array(prefix.length + SALT_BYTES)
  out.set(prefix)
  out.set(contentSalt, prefix.length)
  return out
}

/** The 96-bit nonce of slice i: u8(last) ‖ 0x000000 ‖ u64be(i). */
export function sliceNonce(index: number, last: boolean): Uint8Array<ArrayBuffer> {
  checkInt('index', index, 0, Number.MAX_SAFE_INTEGER)
  const nonce = new Uint8Array(12)
  nonce[0] = last ? 1 : 0
  writeU64be(nonce, 4, index)
  return nonce
}

/** What identifies a slice to the AEAD: the item's key and AAD, its index and last flag. */
export type SliceCipher = { key: CryptoKey; aad: Uint8Array<ArrayBuffer> }

/** Builds the per-item cipher context from a raw content key and salt. */
export async function sliceCipher(
  rawKey: Uint8Array,
  contentSalt: Uint8Array,
): Promise<SliceCipher> {
  return { key: await importContentKey(rawKey), aad: contentAad(contentSalt) }
}

/**
 * The creator's cipher for any of its items: the content key derived from `contentMaster` for
 * each item's salt (DESIGN §2), imported and wiped. What publishing encrypts with.
 * @example await publishFile(c, { input: file, cipherOf: creatorCipher(id.contentMaster) })
 */
export function creatorCipher(
  contentMaster: Uint8Array,
): (salt: Uint8Array) => Promise<SliceCipher> {
  checkBytes('contentMaster', contentMaster, 32)
  return async (salt) => {
    const key = deriveContentKey(contentMaster, salt)
    try {
      return await sliceCipher(key, salt)
    } finally {
      key.fill(0)
    }
  }
}

/**
 * Encrypts plaintext slice i. The result is plaintext.length + 16 bytes.
 * @example const ct = await encryptSlice(cipher, 0, true, bytes)
 */
export async function encryptSlice(
  c: SliceCipher,
  index: number,
  last: boolean,
  plaintext: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  checkBytes('plaintext', plaintext)
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: sliceNonce(index, last), additionalData: c.aad, tagLength: 128 },
    c.key,
    bs(plaintext),
  )
  return new Uint8Array(ct)
}

/**
 * Decrypts and authenticates ciphertext slice i. Throws {@link SliceAuthError} when the key,
 * index, last flag, salt or bytes do not match what was encrypted.
 */
export async function decryptSlice(
  c: SliceCipher,
  index: number,
  last: boolean,
  ciphertext: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  checkBytes('ciphertext', ciphertext)
  if (ciphertext.length < TAG_BYTES)
    throw new SliceAuthError(`Slice ${index} is too short to be authentic.`, {
      details: `${ciphertext.length} bytes, at least ${TAG_BYTES}`,
    })
  try {
    const pt = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sliceNonce(index, last), additionalData: c.aad, tagLength: 128 },
      c.key,
      bs(ciphertext),
    )
    return new Uint8Array(pt)
  } catch (cause) {
    throw new SliceAuthError(`Slice ${index} failed authentication (wrong key or altered data).`, {
      details: `index ${index}, last ${last}, ${ciphertext.length} bytes`,
      cause,
    })
  }
}

/** SHA-256 of one ciphertext slice (WebCrypto): the leaf input of the content root. */
export async function sliceHash(ciphertext: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bs(ciphertext)))
}
