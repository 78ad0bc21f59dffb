/**
 * Ed25519 signatures (RFC 8032) over small messages, with the node's libp2p peer key: what a
 * peer id can be checked against. Verification is strict (`zip215: false`, RFC 8032 §5.1.7),
 * so one message has exactly one valid encoding of each signature.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { InvalidInputError } from '../../shared/errors/common.ts'

export type Ed25519Signer = {
  publicKey: Uint8Array
  sign(message: Uint8Array): Uint8Array
}

/**
 * A signer from a 32-byte Ed25519 secret key (the first half of libp2p's 64-byte raw key).
 * @example const signer = ed25519Signer(peerKey.raw.subarray(0, 32))
 */
export function ed25519Signer(secretKey: Uint8Array): Ed25519Signer {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32)
    throw new InvalidInputError(`secretKey: expected 32 bytes, got ${secretKey?.length}`)
  const key = secretKey.slice()
  return {
    publicKey: ed25519.getPublicKey(key),
    sign: (message) => ed25519.sign(message, key),
  }
}

/** True when `signature` is `publicKey`'s over `message`; false for any malformed input. */
export function ed25519Verify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false })
  } catch {
    return false // a public key that is not a curve point, or another malformed input
  }
}
