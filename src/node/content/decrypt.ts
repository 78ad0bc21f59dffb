/**
 * The decryption step of a content stream (DESIGN §2): a transform from a ciphertext slice,
 * with its index and `last` flag, to its authenticated plaintext. Range reads
 * ({@link plaintextRange}) and whole-file decryption ({@link decryptStream}) both run it.
 */
import { decryptSlice, type SliceCipher } from '../crypto/content.ts'

/** One ciphertext slice on its way through a stream. */
export type CipherSlice = { index: number; last: boolean; bytes: Uint8Array }

/** A step of the stream: ciphertext slice in, plaintext out (throws SliceAuthError). */
export type SliceTransform = (s: CipherSlice) => Promise<Uint8Array<ArrayBuffer>>

/**
 * The step that decrypts with `cipher`: the index and `last` flag go into the nonce, so a
 * reordered or truncated stream fails authentication.
 * @example plaintextRange(src, decryptWith(cipher), { start: 0, end: 1024 }, { signal })
 */
export function decryptWith(cipher: SliceCipher): SliceTransform {
  return (s) => decryptSlice(cipher, s.index, s.last, s.bytes)
}
