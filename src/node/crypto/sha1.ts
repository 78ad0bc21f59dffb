/**
 * SHA-1, for BitTorrent v1 only: piece hashes and the infoHash (BEP 3) are SHA-1 by the
 * protocol. Nothing here relies on it for integrity: content slices are SHA-256 checked and
 * AES-GCM authenticated, previews are bounded and checked by their metadata.
 */
import { bs } from './bytes.ts'

/** SHA-1 (WebCrypto) of `bytes`. */
export async function sha1(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-1', bs(bytes)))
}
