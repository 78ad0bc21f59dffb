/**
 * The identity at rest (DESIGN §2): the mnemonic's entropy (from which the BIP-39 seed and
 * every key derive) encrypted with AES-256-GCM under a non-extractable WebCrypto key. The key
 * object itself lives in IndexedDB (structured clone keeps it non-extractable), so script can
 * use it but never read it; the ciphertext sits beside it with the account address in clear.
 */
import { type IDBPDatabase, openDB } from 'idb'
import { VaultError } from '../../shared/errors/crypto.ts'
import { bs, checkBytes, throwIfAborted } from './bytes.ts'

/** Default IndexedDB database of the vault. */
export const VAULT_DB = 'hashcard-identity'
const STORE = 'vault'
const AAD = new TextEncoder().encode('hashcard/v1/vault')

type SealedRecord = { v: 1; iv: Uint8Array; ct: Uint8Array; address: string; createdAt: number }

/** The identity's encrypted entropy and its wrapping key in IndexedDB. */
export type Vault = {
  /** Encrypts and stores the entropy, replacing any previous identity. */
  save(entropy: Uint8Array, address: string, options?: { signal?: AbortSignal }): Promise<void>
  /** The stored entropy, or null when there is no identity. Throws {@link VaultError}. */
  load(options?: { signal?: AbortSignal }): Promise<Uint8Array | null>
  /** The stored account address (no decryption), or null. */
  address(): Promise<string | null>
  /** Forgets the identity (entropy and wrapping key). */
  clear(): Promise<void>
  close(): void
}

/**
 * Opens the vault database.
 * @example const vault = await openVault(); const entropy = await vault.load()
 */
export async function openVault(name = VAULT_DB): Promise<Vault> {
  const db = await openDB(name, 1, {
    upgrade(d) {
      d.createObjectStore(STORE)
    },
  })
  return {
    save: (entropy, address, options) => save(db, entropy, address, options?.signal),
    load: (options) => load(db, options?.signal),
    address: async () =>
      ((await db.get(STORE, 'seed')) as SealedRecord | undefined)?.address ?? null,
    clear: async () => {
      const tx = db.transaction(STORE, 'readwrite')
      await Promise.all([tx.store.delete('seed'), tx.store.delete('kek'), tx.done])
    },
    close: () => db.close(),
  }
}

async function save(
  db: IDBPDatabase,
  entropy: Uint8Array,
  address: string,
  signal?: AbortSignal,
): Promise<void> {
  checkBytes('entropy', entropy)
  const kek = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ])
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: AAD }, kek, bs(entropy)),
  )
  throwIfAborted(signal, 'Saving the identity')
  const record: SealedRecord = { v: 1, iv, ct, address, createdAt: Date.now() }
  // One transaction: the key and the ciphertext are replaced together or not at all.
  const tx = db.transaction(STORE, 'readwrite')
  await Promise.all([tx.store.put(kek, 'kek'), tx.store.put(record, 'seed'), tx.done])
}

async function load(db: IDBPDatabase, signal?: AbortSignal): Promise<Uint8Array | null> {
  const tx = db.transaction(STORE, 'readonly')
  const [kek, record] = (await Promise.all([tx.store.get('kek'), tx.store.get('seed')])) as [
    CryptoKey | undefined,
    SealedRecord | undefined,
  ]
  throwIfAborted(signal, 'Loading the identity')
  if (!record) return null
  if (!kek || record.v !== 1)
    throw new VaultError('The stored identity cannot be opened on this device.', {
      details: kek ? `unknown vault record version ${String(record.v)}` : 'wrapping key missing',
    })
  try {
    const pt = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bs(record.iv), additionalData: AAD },
      kek,
      bs(record.ct),
    )
    return new Uint8Array(pt)
  } catch (cause) {
    throw new VaultError('The stored identity cannot be opened on this device.', {
      details: 'AES-GCM authentication failed',
      cause,
    })
  }
}
