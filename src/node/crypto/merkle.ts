/**
 * The content root (DESIGN §2): a binary Merkle tree over the SHA-256 of each ciphertext
 * slice, built as RFC 6962 §2.1 builds its Merkle Tree Hash, with SHA-256 and one-byte domain
 * separation between leaves and inner nodes:
 *
 *   leaf(i)    = SHA-256(0x00 ‖ h_i)           where h_i = SHA-256(ciphertext slice i)
 *   node(l, r) = SHA-256(0x01 ‖ l ‖ r)
 *   MTH([h_0])         = leaf(0)
 *   MTH(h_0 … h_{n−1}) = node(MTH(h_0 … h_{k−1}), MTH(h_k … h_{n−1})),  k = largest power of 2 < n
 *
 * So a leaf can never be passed off as a node (second-preimage resistance) and the shape is
 * fixed by n alone. There is at least one slice (an empty file has one), so n ≥ 1.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { checkBytes } from './bytes.ts'

const LEAF = 0x00
const NODE = 0x01

/** leaf(h) = SHA-256(0x00 ‖ h). */
export function merkleLeaf(sliceHash: Uint8Array): Uint8Array {
  checkBytes('sliceHash', sliceHash, 32)
  const buf = new Uint8Array(33)
  buf[0] = LEAF
  buf.set(sliceHash, 1)
  return sha256(buf)
}

/** node(l, r) = SHA-256(0x01 ‖ l ‖ r). */
export function merkleNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(65)
  buf[0] = NODE
  buf.set(left, 1)
  buf.set(right, 33)
  return sha256(buf)
}

/**
 * The Merkle root of the slice hashes, given as one array of 32·n bytes or a list.
 * @example const root = merkleRoot([await sliceHash(ct0)])
 */
export function merkleRoot(sliceHashes: Uint8Array | Uint8Array[]): Uint8Array {
  const list = Array.isArray(sliceHashes) ? sliceHashes : splitHashes(sliceHashes)
  if (list.length === 0) throw new RangeError('sliceHashes: expected at least 1 hash, got 0')
  return mth(list.map(merkleLeaf))
}

function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0]!
  let k = 1
  while (k * 2 < leaves.length) k *= 2
  return merkleNode(mth(leaves.slice(0, k)), mth(leaves.slice(k)))
}

/** Splits 32·n concatenated hashes into n views. */
export function splitHashes(concatenated: Uint8Array): Uint8Array[] {
  checkBytes('sliceHashes', concatenated)
  if (concatenated.length % 32 !== 0)
    throw new RangeError(`sliceHashes: expected a multiple of 32 bytes, got ${concatenated.length}`)
  const out: Uint8Array[] = []
  for (let o = 0; o < concatenated.length; o += 32) out.push(concatenated.subarray(o, o + 32))
  return out
}
