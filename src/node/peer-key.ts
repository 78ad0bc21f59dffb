import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { openDB } from 'idb'

const DB = 'hashcard-node'
const STORE = 'kv'
const KEY = 'device-peer-key'

/**
 * The peer key of a profile that has no identity yet, kept in IndexedDB so the peer id stays
 * the same across reloads. Once an identity exists, its HKDF-derived Ed25519 key is used
 * instead (DESIGN §2), so the peer id then follows the mnemonic to any device.
 */
export async function loadDevicePeerKey(): Promise<PrivateKey> {
  const db = await openDB(DB, 1, {
    upgrade(d) {
      d.createObjectStore(STORE)
    },
  })
  try {
    const stored = (await db.get(STORE, KEY)) as Uint8Array | undefined
    if (stored) return privateKeyFromProtobuf(stored)
    const key = await generateKeyPair('Ed25519')
    await db.put(STORE, privateKeyToProtobuf(key), KEY)
    return key
  } finally {
    db.close()
  }
}
