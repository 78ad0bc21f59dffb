/**
 * The account's database (IndexedDB via idb): the key vault (access/vault.ts), the key tokens
 * this account holds (keys/owner.ts), the agent's waiting requests and its settings
 * (externalChoice.ts). One database per account address, so a restored other identity never
 * sees these keys.
 */
import { type IDBPDatabase, openDB } from 'idb'

/** IndexedDB database of one account (the name is suffixed with its address). */
export const KEYS_DB = 'hashcard-keys'

/** The object stores of the key vault (src/node/access/vault.ts). */
export const VAULT_STORES = { keys: 'vault', kek: 'vault-kek' } as const
/** Card registrations of older profiles; read once into the access map (access/legacy.ts). */
export const CARDS_STORE = 'cards'
export const TOKENS_STORE = 'tokens'
/** Key requests the agent could not serve yet (unknown card), kept across restarts. */
export const WAITING_STORE = 'agent-waiting'
/** Small settings of the identity, e.g. its chosen external wallet (externalChoice.ts). */
export const SETTINGS_STORE = 'settings'

/**
 * Opens (creating if needed) the keys database of one identity.
 * @example const db = await openKeysDb(identity.address)
 */
export async function openKeysDb(address: string, base = KEYS_DB): Promise<IDBPDatabase> {
  return openDB(`${base}-${address.toLowerCase()}`, 3, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore(VAULT_STORES.keys, { keyPath: 'cardId' })
        db.createObjectStore(VAULT_STORES.kek)
        db.createObjectStore(CARDS_STORE, { keyPath: 'cardId' })
        db.createObjectStore(TOKENS_STORE, { keyPath: 'tokenId' })
      }
      if (oldVersion < 2) db.createObjectStore(WAITING_STORE, { keyPath: 'tokenId' })
      if (oldVersion < 3) db.createObjectStore(SETTINGS_STORE)
    },
  })
}
