/**
 * Identity derivation (DESIGN §2): from the BIP-39 seed, the EVM account (BIP-44
 * m/44'/60'/0'/0/0, viem), the content master secret, the X25519 key-wrapping pair and the
 * libp2p Ed25519 peer key. The last three are HKDF-SHA256 (RFC 5869) outputs:
 *
 *   secret = HKDF-SHA256(IKM = seed (64 bytes), salt = "hashcard/v1", info = INFO[k], L = 32)
 *
 * with a distinct `info` per use, so the peer id and the wrap key are stable per mnemonic and
 * no output reveals another.
 */
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { type HDAccount, HDKey, hdKeyToAccount } from 'viem/accounts'
import { checkBytes, wipe } from './bytes.ts'

/** BIP-44 path of the embedded EVM account. */
export const EVM_PATH = "m/44'/60'/0'/0/0"

/** HKDF salt for every identity secret. */
export const IDENTITY_SALT = 'hashcard/v1'

/** HKDF `info` strings, one per derived secret (never reuse one for another purpose). */
export const IDENTITY_INFO = {
  contentMaster: 'hashcard/v1/content-master',
  wrapKey: 'hashcard/v1/wrap-x25519',
  peerKey: 'hashcard/v1/libp2p-ed25519',
} as const

/** Everything an identity needs, derived from one seed. Secrets stay in the node worker. */
export type Identity = {
  /** Checksummed EVM address of the embedded account. */
  address: `0x${string}`
  account: HDAccount
  /** 32 bytes; content keys derive from it (see content.ts). */
  contentMaster: Uint8Array
  /** X25519 secret scalar (32 bytes) that opens HPKE-sealed content keys. */
  wrapSecret: Uint8Array
  /** X25519 public key (32 bytes) that buyers' keys are sealed to. */
  wrapPublic: Uint8Array
  /** libp2p Ed25519 key; its peer id is stable for this mnemonic. */
  peerKey: Ed25519PrivateKey
}

/** One 32-byte identity secret: HKDF-SHA256(seed, salt "hashcard/v1", info). */
export function deriveSecret(seed: Uint8Array, info: string): Uint8Array {
  checkBytes('seed', seed, 64)
  return hkdf(sha256, seed, utf8ToBytes(IDENTITY_SALT), utf8ToBytes(info), 32)
}

/**
 * Derives the whole identity from a 64-byte BIP-39 seed.
 * @example const id = await deriveIdentity(await seedFromEntropy(parseMnemonic(phrase)))
 */
export async function deriveIdentity(seed: Uint8Array): Promise<Identity> {
  checkBytes('seed', seed, 64)
  const account = hdKeyToAccount(HDKey.fromMasterSeed(seed), { path: EVM_PATH })
  const contentMaster = deriveSecret(seed, IDENTITY_INFO.contentMaster)
  const wrapSecret = deriveSecret(seed, IDENTITY_INFO.wrapKey)
  const wrapPublic = x25519.getPublicKey(wrapSecret)
  const peerSeed = deriveSecret(seed, IDENTITY_INFO.peerKey)
  const peerKey = await generateKeyPairFromSeed('Ed25519', peerSeed)
  wipe(peerSeed)
  return { address: account.address, account, contentMaster, wrapSecret, wrapPublic, peerKey }
}

/** Wipes the raw secrets of an identity that is no longer needed. */
export function wipeIdentity(id: Identity): void {
  wipe(id.contentMaster, id.wrapSecret)
}
