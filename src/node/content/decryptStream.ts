/**
 * Decrypting a whole ciphertext file as a stream, with no layout known in advance: chunks of S
 * bytes, the final (shorter or equal) chunk decrypted as `last`. Every structural attack fails
 * AEAD: a reordered slice has the wrong index in its nonce, a file truncated at a slice
 * boundary ends on a slice sealed with last = 0, an extended one has its real last slice
 * (last = 1) in a non-final position. A final chunk under 16 bytes is a {@link ContentFormatError}.
 *
 * Used by tests, to check a whole published file; it runs the same decrypt step as the range
 * reader (decrypt.ts).
 */

import { ContentFormatError } from '../../shared/errors/crypto.ts'
import { equalBytes } from '../crypto/bytes.ts'
import { type SliceCipher, sliceHash } from '../crypto/content.ts'
import { checkSliceSize, TAG_BYTES } from '../crypto/layout.ts'
import { merkleRoot } from '../crypto/merkle.ts'
import { mapOrdered, type SliceSource, slices } from '../crypto/slicer.ts'
import { READ_AHEAD } from './constants.ts'
import { decryptWith } from './decrypt.ts'

export type DecryptStreamOptions = {
  signal?: AbortSignal
  /** When given, the Merkle root of the slices must equal it (checked after the last slice). */
  contentRoot?: Uint8Array
  /** When given, the plaintext must be exactly this long. */
  size?: number
  concurrency?: number
}

/**
 * Yields the plaintext of each slice in order; throws SliceAuthError / ContentFormatError.
 * @example for await (const pt of decryptStream(blob, cipher, 262144)) out.push(pt)
 */
export async function* decryptStream(
  input: SliceSource,
  cipher: SliceCipher,
  sliceSize: number,
  options: DecryptStreamOptions = {},
): AsyncGenerator<Uint8Array> {
  checkSliceSize(sliceSize)
  const hashes: Uint8Array[] = []
  let total = 0
  const decrypt = decryptWith(cipher)
  const opened = mapOrdered(
    slices(input, sliceSize, options.signal),
    options.concurrency ?? READ_AHEAD,
    async (s) => {
      if (s.last && s.bytes.length < TAG_BYTES)
        throw new ContentFormatError('The content file is truncated.', {
          details: `final slice ${s.index} has ${s.bytes.length} bytes, at least ${TAG_BYTES}`,
        })
      const [pt, h] = await Promise.all([
        decrypt(s),
        options.contentRoot ? sliceHash(s.bytes) : Promise.resolve(null),
      ])
      return { pt, h }
    },
  )
  for await (const { pt, h } of opened) {
    if (h) hashes.push(h)
    total += pt.length
    yield pt
  }
  if (options.size !== undefined && total !== options.size)
    throw new ContentFormatError('The content has the wrong size.', {
      details: `expected ${options.size} bytes, got ${total}`,
    })
  if (options.contentRoot && !equalBytes(merkleRoot(hashes), options.contentRoot))
    throw new ContentFormatError('The content does not match its content root.')
}
