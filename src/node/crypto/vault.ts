/**
 * The identity at rest (DESIGN §2): the mnemonic's entropy (from which the BIP-39 seed and
 * every key derive) encrypted with AES-256-GCM under a non-extractable WebCrypto key. The key
 * object itself lives in IndexedDB (structured clone keeps it non-extractable), so script can
 * use it but never read it; the ciphertext sits beside it with the account address in clear.
 */
import { type IDBPDatabase, openDB } from 'idb'
import { VaultError } from '../../shared/errors/crypto.ts'
import { checkBytes, throwIfAborted } from './bytes.ts'
import { generateRecordKey, openRecord, type SealedRecord, sealRecord } from './sealed.ts'

/** Default IndexedDB database of the vault. */
export const VAULT_DB = 'hashcard-identity'
const STORE = 'vault'
const AAD = 'hashcard/v1/vault'
const WHAT = 'The stored identity'

type SeedRecord = SealedRecord & { address: string; createdAt: number }

/** Present while the person has not shown they kept the phrase (they skipped the check). */
type BackupRecord = { unchecked: true; since: number }

/** The identity's encrypted entropy and its wrapping key in IndexedDB. */
export type Vault = {
  /**
   * Encrypts and stores the entropy, replacing any previous identity. `unchecked`: the person
   * skipped the phrase check, so the identity is not backed up yet ({@link backedUp}).
   */
  save(
    entropy: Uint8Array,
    address: string,
    options?: { signal?: AbortSignal; unchecked?: boolean },
  ): Promise<void>
  /** The stored entropy, or null when there is no identity. Throws {@link VaultError}. */
  load(options?: { signal?: AbortSignal }): Promise<Uint8Array | null>
  /** The stored account address (no decryption), or null. */
  address(): Promise<string | null>
  /** False while the phrase check was skipped and no backup was made since. */
  backedUp(): Promise<boolean>
  /** The person checked the phrase or saved a backup file. */
  setBackedUp(): Promise<void>
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
    save: (entropy, address, options) =>
      save(db, entropy, address, options?.signal, options?.unchecked === true),
    load: (options) => load(db, options?.signal),
    address: async () => ((await db.get(STORE, 'seed')) as SeedRecord | undefined)?.address ?? null,
    // An identity stored before this record existed counts as backed up: nothing says otherwise.
    backedUp: async () => !((await db.get(STORE, 'backup')) as BackupRecord | undefined)?.unchecked,
    setBackedUp: async () => {
      await db.delete(STORE, 'backup')
    },
    clear: async () => {
      const tx = db.transaction(STORE, 'readwrite')
      await Promise.all([
        tx.store.delete('seed'),
        tx.store.delete('kek'),
        tx.store.delete('backup'),
        tx.done,
      ])
    },
    close: () => db.close(),
  }
}

async function save(
  db: IDBPDatabase,
  entropy: Uint8Array,
  address: string,
  signal: AbortSignal | undefined,
  unchecked: boolean,
): Promise<void> {
  checkBytes('entropy', entropy)
  // A fresh key per save, stored with the record it seals.
  const kek = await generateRecordKey()
  const sealed = await sealRecord(kek, entropy, AAD)
  throwIfAborted(signal, 'Saving the identity')
  const record: SeedRecord = { ...sealed, address, createdAt: Date.now() }
  // One transaction: the key, the ciphertext and the backup state change together or not at all.
  const tx = db.transaction(STORE, 'readwrite')
  const backup: BackupRecord = { unchecked: true, since: Date.now() }
  await Promise.all([
    tx.store.put(kek, 'kek'),
    tx.store.put(record, 'seed'),
    unchecked ? tx.store.put(backup, 'backup') : tx.store.delete('backup'),
    tx.done,
  ])
}

async function load(db: IDBPDatabase, signal?: AbortSignal): Promise<Uint8Array | null> {
  const tx = db.transaction(STORE, 'readonly')
  const [kek, record] = (await Promise.all([tx.store.get('kek'), tx.store.get('seed')])) as [
    CryptoKey | undefined,
    SeedRecord | undefined,
  ]
  throwIfAborted(signal, 'Loading the identity')
  if (!record) return null
  if (!kek)
    throw new VaultError(`${WHAT} cannot be opened on this device.`, {
      details: 'wrapping key missing',
    })
  return openRecord(kek, record, AAD, { what: WHAT })
}
