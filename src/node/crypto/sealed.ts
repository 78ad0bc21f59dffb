/**
 * Sealed-at-rest records (DESIGN §2, §4.4): small secrets (the identity's entropy, bought content
 * keys, an external wallet's signature) encrypted with AES-256-GCM (NIST SP 800-38D, 96-bit IV)
 * under a non-extractable WebCrypto key kept in IndexedDB. Structured clone keeps the key
 * non-extractable, so script can use it but never read it.
 *
 * A record is `{ v: 1, iv, ct }` (callers add their own clear fields beside it, e.g. an address);
 * the AAD binds it to what it is for (`hashcard/v1/vault`, `hashcard/v1/key-vault/<card>/<token>`,
 * `hashcard/v1/external-wallet/<addr>`), so a record moved to another slot does not open. These
 * field names, the 12-byte IV and the AAD strings are the format on disk: never change them.
 */
import type { IDBPDatabase } from 'idb'
import { VaultError } from '../../shared/errors/crypto.ts'
import { bs, checkBytes } from './bytes.ts'

/** AES-GCM IV length (96 bits, SP 800-38D §8.2.2 with random IVs). */
export const SEALED_IV_BYTES = 12
/** AES-GCM tag length. */
export const SEALED_TAG_BYTES = 16

/** The sealed part of a record at rest. */
export type SealedRecord = { v: 1; iv: Uint8Array; ct: Uint8Array }

/** How {@link openRecord} names the record in its {@link VaultError}. */
export type OpenRecordOptions = {
  /** Subject of the error message: `${what} cannot be opened on this device.` */
  what: string
  /** The error's details when authentication fails (default: 'AES-GCM authentication failed'). */
  details?: string
}

const encoder = new TextEncoder()

/**
 * A fresh non-extractable AES-256-GCM wrapping key (to be stored in IndexedDB by the caller).
 * @example const kek = await generateRecordKey(); await db.put('vault', kek, 'kek')
 */
export async function generateRecordKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
}

/**
 * The wrapping key kept at `key` in `store` of `db`, created on first use. Callers on other
 * connections may ask at the same time, so the new key is stored only if none is there yet, in
 * one transaction: everyone seals under the same key.
 * @example const kek = await recordKey(db, 'vault-kek')
 */
export async function recordKey(db: IDBPDatabase, store: string, key = 'kek'): Promise<CryptoKey> {
  const existing = (await db.get(store, key)) as CryptoKey | undefined
  if (existing) return existing
  const fresh = await generateRecordKey()
  const tx = db.transaction(store, 'readwrite')
  const first = (await tx.store.get(key)) as CryptoKey | undefined
  if (!first) await tx.store.put(fresh, key)
  await tx.done
  return first ?? fresh
}

/**
 * Seals `plaintext` under `kek`, bound to `aad`, with a fresh random IV.
 * @example const rec = await sealRecord(kek, entropy, 'hashcard/v1/vault')
 */
export async function sealRecord(
  kek: CryptoKey,
  plaintext: Uint8Array,
  aad: string | Uint8Array,
): Promise<SealedRecord> {
  checkKey(kek)
  checkBytes('plaintext', plaintext)
  const additionalData = aadBytes(aad)
  const iv = crypto.getRandomValues(new Uint8Array(SEALED_IV_BYTES))
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, kek, bs(plaintext)),
  )
  return { v: 1, iv, ct }
}

/**
 * Opens a record sealed by {@link sealRecord} (or by any earlier code writing the same shape).
 * Throws {@link VaultError} if the record is of another version, malformed, altered, bound to
 * another AAD or sealed under another key.
 * @example const entropy = await openRecord(kek, rec, 'hashcard/v1/vault', { what: 'The stored identity' })
 */
export async function openRecord(
  kek: CryptoKey,
  record: SealedRecord,
  aad: string | Uint8Array,
  options: OpenRecordOptions,
): Promise<Uint8Array> {
  checkKey(kek)
  const additionalData = aadBytes(aad)
  const fail = (details: string, cause?: unknown) =>
    new VaultError(`${options.what} cannot be opened on this device.`, { details, cause })
  if (record?.v !== 1) throw fail(`unknown vault record version ${String(record?.v)}`)
  try {
    checkBytes('iv', record.iv, SEALED_IV_BYTES)
    checkBytes('ct', record.ct)
    if (record.ct.length < SEALED_TAG_BYTES)
      throw new RangeError(
        `ct: expected at least ${SEALED_TAG_BYTES} bytes, got ${record.ct.length}`,
      )
  } catch (cause) {
    throw fail(`malformed vault record: ${(cause as Error).message}`, cause)
  }
  try {
    const pt = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bs(record.iv), additionalData },
      kek,
      bs(record.ct),
    )
    return new Uint8Array(pt)
  } catch (cause) {
    throw fail(options.details ?? 'AES-GCM authentication failed', cause)
  }
}

function checkKey(kek: unknown): void {
  const alg = (kek as CryptoKey | null)?.algorithm?.name
  if (typeof kek !== 'object' || kek === null || alg !== 'AES-GCM')
    throw new TypeError(`kek: expected AES-GCM CryptoKey, got ${alg ?? String(kek)}`)
}

function aadBytes(aad: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof aad === 'string') return bs(encoder.encode(aad))
  return bs(checkBytes('aad', aad))
}
