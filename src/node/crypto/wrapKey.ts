/**
 * The X25519 wrap key of an external EIP-1193 wallet (DESIGN §2), the counterpart of the
 * embedded identity's wrap key (identity.ts). It derives from the wallet's 65-byte signature of
 * a fixed message (`EXTERNAL_WRAP_MESSAGE` in keys/external.ts):
 *
 *   wrapSecret = HKDF-SHA256(IKM = signature, salt = "hashcard/v1",
 *                            info = "hashcard/v1/wrap-x25519-eip1193", L = 32)   (RFC 5869)
 *   wrapPublic = X25519(wrapSecret, 9)                                            (RFC 7748)
 *
 * Wallets sign deterministically (RFC 6979), so the same wallet finds the same wrap key on any
 * device.
 */
import { x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { checkBytes } from './bytes.ts'
import { IDENTITY_SALT } from './identity.ts'

/** HKDF `info` of an external wallet's wrap key (never change it: keys follow). */
export const EXTERNAL_WRAP_INFO = 'hashcard/v1/wrap-x25519-eip1193'

/**
 * The X25519 wrap key pair of an external wallet, from its 65-byte signature of the fixed message.
 * @example const { wrapSecret, wrapPublic } = deriveExternalWrapKey(signatureBytes)
 */
export function deriveExternalWrapKey(signature: Uint8Array): {
  wrapSecret: Uint8Array
  wrapPublic: Uint8Array
} {
  checkBytes('signature', signature, 65)
  const wrapSecret = hkdf(
    sha256,
    signature,
    utf8ToBytes(IDENTITY_SALT),
    utf8ToBytes(EXTERNAL_WRAP_INFO),
    32,
  )
  return { wrapSecret, wrapPublic: x25519.getPublicKey(wrapSecret) }
}
