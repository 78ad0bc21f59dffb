/**
 * The keys database's sealed records (the key vault and the remembered external wallet) keep
 * their format on disk: records written by the code before crypto/sealed.ts still open. The
 * flows around them run on anvil in keys.test.ts.
 */
import 'fake-indexeddb/auto'
import type { IDBPDatabase } from 'idb'
import type { Address, Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { VaultError } from '../../shared/errors/crypto.ts'
import { openKeysDb, SETTINGS_STORE, VAULT_STORES } from '../account/db.ts'
import { loadExternalChoice, saveExternalChoice } from '../account/externalChoice.ts'
import { cardIdHex, createKeyVault, vaultWrappingKey } from './vault.ts'

const OWNER = '0x70997970C51812dc3A010C7d01b8E8Fa8c1679C8'
const WALLET: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const cardId = cardIdHex(new Uint8Array(32).fill(0xab))

/** The wrapping key as `vaultWrappingKey` made it before sealed.ts (commit 95214bd). */
async function legacyWrappingKey(db: IDBPDatabase): Promise<CryptoKey> {
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

/** `createKeyVault(db).put` before sealed.ts, verbatim. */
async function legacyPut(db: IDBPDatabase, id: string, tokenId: bigint, key: Uint8Array) {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const additionalData = new TextEncoder().encode(`hashcard/v1/key-vault/${id}/${tokenId}`)
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData },
      await legacyWrappingKey(db),
      key as Uint8Array<ArrayBuffer>,
    ),
  )
  const record = { v: 1, cardId: id, tokenId: tokenId.toString(), iv, ct, receivedAt: 5 }
  await db.put(VAULT_STORES.keys, record)
}

/** `saveExternalChoice` before sealed.ts, verbatim. */
async function legacySaveChoice(db: IDBPDatabase, address: Address, signature: Uint8Array) {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const additionalData = new TextEncoder().encode(
    `hashcard/v1/external-wallet/${address.toLowerCase()}`,
  )
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData },
      await legacyWrappingKey(db),
      signature as Uint8Array<ArrayBuffer>,
    ),
  )
  await db.put(SETTINGS_STORE, { v: 1, address, iv, ct }, 'external-wallet')
}

describe('sealed records of the keys database', () => {
  it('a content key and a wallet choice sealed by the code before sealed.ts open with it', async () => {
    const db = await openKeysDb(OWNER, 'vault-test-legacy')
    const key = crypto.getRandomValues(new Uint8Array(32))
    const signature = new Uint8Array(65).fill(0xcd)
    await legacyPut(db, cardId, 9n, key)
    await legacySaveChoice(db, WALLET, signature)
    const vault = createKeyVault(db)
    expect(await vault.get(cardId)).toEqual({ tokenId: 9n, key })
    expect(await vault.entries()).toEqual([{ cardId, tokenId: 9n, receivedAt: 5 }])
    expect(await loadExternalChoice(db)).toEqual({
      address: WALLET,
      signature: `0x${'cd'.repeat(65)}` as Hex,
    })
    db.close()
  })

  it('new records keep the old shape and share the one wrapping key', async () => {
    const db = await openKeysDb(OWNER, 'vault-test-shape')
    const vault = createKeyVault(db)
    await Promise.all([
      vault.put(cardId, 3n, new Uint8Array(32).fill(1)),
      saveExternalChoice(db, { address: WALLET, signature: `0x${'ef'.repeat(65)}` }),
    ])
    expect(await db.getAllKeys(VAULT_STORES.kek)).toEqual(['kek'])
    const kek = await vaultWrappingKey(db)
    const rec = (await db.get(VAULT_STORES.keys, cardId)) as Record<string, unknown>
    expect(Object.keys(rec).sort()).toEqual(['cardId', 'ct', 'iv', 'receivedAt', 'tokenId', 'v'])
    expect(rec).toMatchObject({ v: 1, cardId, tokenId: '3' })
    const choice = (await db.get(SETTINGS_STORE, 'external-wallet')) as Record<string, unknown>
    expect(Object.keys(choice).sort()).toEqual(['address', 'ct', 'iv', 'v'])
    // Both open as the code before sealed.ts opened them (raw AES-GCM, same AAD strings).
    const open = async (r: Record<string, unknown>, aad: string) =>
      new Uint8Array(
        await crypto.subtle.decrypt(
          {
            name: 'AES-GCM',
            iv: r.iv as Uint8Array<ArrayBuffer>,
            additionalData: new TextEncoder().encode(aad),
          },
          kek,
          r.ct as Uint8Array<ArrayBuffer>,
        ),
      )
    expect(await open(rec, `hashcard/v1/key-vault/${cardId}/3`)).toEqual(new Uint8Array(32).fill(1))
    expect(await open(choice, `hashcard/v1/external-wallet/${WALLET.toLowerCase()}`)).toEqual(
      new Uint8Array(65).fill(0xef),
    )
    db.close()
  })

  it('a content key moved to another token does not open (VaultError naming the card)', async () => {
    const db = await openKeysDb(OWNER, 'vault-test-moved')
    const vault = createKeyVault(db)
    await vault.put(cardId, 3n, new Uint8Array(32).fill(1))
    const rec = (await db.get(VAULT_STORES.keys, cardId)) as Record<string, unknown>
    await db.put(VAULT_STORES.keys, { ...rec, tokenId: '4' })
    const err = await vault.get(cardId).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VaultError)
    expect((err as VaultError).shortMessage).toBe(
      'A stored content key cannot be opened on this device.',
    )
    expect((err as VaultError).details).toBe(`card ${cardId}`)
    db.close()
  })
})
