/**
 * The key vault (DESIGN §4.4): content keys of the cards this identity owns a key token for,
 * in IndexedDB, each AES-256-GCM-encrypted at rest under a non-extractable WebCrypto key kept
 * beside it (structured clone keeps it non-extractable: script can use it, never read it), as
 * `src/node/crypto/vault.ts` does for the identity. Keys never leave the node worker.
 *
 * One key per card (the newest delivery wins); the record names the token it came with, so a
 * Transfer of that token away deletes it.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { IDBPDatabase } from 'idb'
import { VaultError } from '../../shared/errors/crypto.ts'
import { bs, checkBytes } from '../crypto/bytes.ts'

const AAD_PREFIX = 'hashcard/v1/key-vault/'

/** A stored content key, as kept in IndexedDB (`ct` is the sealed key). */
type VaultRecord = {
  v: 1
  /** Lower-case 0x hex, 32 bytes. */
  cardId: string
  /** Decimal. */
  tokenId: string
  iv: Uint8Array
  ct: Uint8Array
  receivedAt: number
}

/** What the vault says about a key without opening it. */
export type VaultEntry = { cardId: `0x${string}`; tokenId: bigint; receivedAt: number }

/** Content keys at rest, wrapped under a non-extractable key. */
export type KeyVault = {
  /** Stores (replaces) the key of `cardId`, received with `tokenId`. */
  put(cardId: `0x${string}`, tokenId: bigint, key: Uint8Array): Promise<void>
  /** The key of `cardId`, or null. Throws {@link VaultError} if the record does not open. */
  get(cardId: `0x${string}`): Promise<{ tokenId: bigint; key: Uint8Array } | null>
  /** Every stored entry (no key material). */
  entries(): Promise<VaultEntry[]>
  /** Deletes the key of `cardId`. */
  delete(cardId: `0x${string}`): Promise<void>
  /** Deletes every key that came with `tokenId` (the token left this owner). Returns the cards. */
  deleteToken(tokenId: bigint): Promise<`0x${string}`[]>
}

/** The object stores the vault needs in the keys database (created by its `upgrade`). */
export const VAULT_STORES = { keys: 'vault', kek: 'vault-kek' } as const

function aad(cardId: string, tokenId: string): Uint8Array<ArrayBuffer> {
  return bs(new TextEncoder().encode(`${AAD_PREFIX}${cardId}/${tokenId}`))
}

function normCard(cardId: string): `0x${string}` {
  const hex = cardId.toLowerCase()
  checkBytes('cardId', hexToBytes(hex.replace(/^0x/, '')), 32)
  return `0x${hex.replace(/^0x/, '')}`
}

/**
 * The keys database's non-extractable AES-GCM key (created on first use), under which the vault
 * and other secrets at rest (externalChoice.ts) are sealed. Callers on other connections may
 * ask at the same time, so the first key is stored only if none is there yet, in one
 * transaction: everyone seals under the same key.
 */
export async function vaultWrappingKey(db: IDBPDatabase): Promise<CryptoKey> {
  const existing = (await db.get(VAULT_STORES.kek, 'kek')) as CryptoKey | undefined
  if (existing) return existing
  const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ])
  const tx = db.transaction(VAULT_STORES.kek, 'readwrite')
  const first = (await tx.store.get('kek')) as CryptoKey | undefined
  if (!first) await tx.store.put(fresh, 'kek')
  await tx.done
  return first ?? fresh
}

/**
 * A vault over an open keys database (see `openKeysDb` in db.ts).
 * @example const vault = createKeyVault(db); await vault.put(cardId, tokenId, key)
 */
export function createKeyVault(db: IDBPDatabase): KeyVault {
  let kek: Promise<CryptoKey> | null = null
  const wrappingKey = (): Promise<CryptoKey> => {
    kek ??= vaultWrappingKey(db)
    return kek
  }

  return {
    async put(cardId, tokenId, key) {
      checkBytes('key', key, 32)
      const id = normCard(cardId)
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const ct = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv, additionalData: aad(id, tokenId.toString()) },
          await wrappingKey(),
          bs(key),
        ),
      )
      const record: VaultRecord = {
        v: 1,
        cardId: id,
        tokenId: tokenId.toString(),
        iv,
        ct,
        receivedAt: Date.now(),
      }
      await db.put(VAULT_STORES.keys, record)
    },
    async get(cardId) {
      const id = normCard(cardId)
      const rec = (await db.get(VAULT_STORES.keys, id)) as VaultRecord | undefined
      if (!rec) return null
      try {
        const pt = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: bs(rec.iv), additionalData: aad(id, rec.tokenId) },
          await wrappingKey(),
          bs(rec.ct),
        )
        return { tokenId: BigInt(rec.tokenId), key: new Uint8Array(pt) }
      } catch (cause) {
        throw new VaultError('A stored content key cannot be opened on this device.', {
          details: `card ${id}`,
          cause,
        })
      }
    },
    async entries() {
      const all = (await db.getAll(VAULT_STORES.keys)) as VaultRecord[]
      return all.map((r) => ({
        cardId: r.cardId as `0x${string}`,
        tokenId: BigInt(r.tokenId),
        receivedAt: r.receivedAt,
      }))
    },
    async delete(cardId) {
      await db.delete(VAULT_STORES.keys, normCard(cardId))
    },
    async deleteToken(tokenId) {
      const all = (await db.getAll(VAULT_STORES.keys)) as VaultRecord[]
      const gone = all.filter((r) => r.tokenId === tokenId.toString())
      for (const r of gone) await db.delete(VAULT_STORES.keys, r.cardId)
      return gone.map((r) => r.cardId as `0x${string}`)
    },
  }
}

/** Lower-case hex of a card id's bytes, as the vault keys it. */
export function cardIdHex(bytes: Uint8Array): `0x${string}` {
  checkBytes('cardId', bytes, 32)
  return `0x${bytesToHex(bytes)}`
}
