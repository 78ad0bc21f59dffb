/**
 * The external wallet an identity chose (service.ts `useExternal`), kept across reloads in the
 * identity's keys database: the wallet's address and its signature of EXTERNAL_WRAP_MESSAGE,
 * the seed of its wrap key. The signature is sealed as the vault's content keys are (AES-GCM
 * under the database's non-extractable key), so a reload restores the account and the wrap
 * key without asking the wallet to sign again, and nothing readable is at rest.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { IDBPDatabase } from 'idb'
import type { Address, Hex } from 'viem'
import { vaultWrappingKey } from '../access/vault.ts'
import { openRecord, type SealedRecord, sealRecord } from '../crypto/sealed.ts'
import { SETTINGS_STORE } from './db.ts'

export type ExternalChoice = { address: Address; signature: Hex }

type ChoiceRecord = SealedRecord & { address: Address }

const KEY = 'external-wallet'

const aad = (address: string) => `hashcard/v1/external-wallet/${address.toLowerCase()}`

/** Remembers `choice` (replacing any earlier one). */
export async function saveExternalChoice(db: IDBPDatabase, choice: ExternalChoice): Promise<void> {
  const sealed = await sealRecord(
    await vaultWrappingKey(db),
    hexToBytes(choice.signature.slice(2)),
    aad(choice.address),
  )
  const rec: ChoiceRecord = { ...sealed, address: choice.address }
  await db.put(SETTINGS_STORE, rec, KEY)
}

/** The remembered choice; null when there is none or it does not open on this device. */
export async function loadExternalChoice(db: IDBPDatabase): Promise<ExternalChoice | null> {
  const rec = (await db.get(SETTINGS_STORE, KEY)) as ChoiceRecord | undefined
  if (!rec) return null
  try {
    const sig = await openRecord(await vaultWrappingKey(db), rec, aad(rec.address), {
      what: 'The remembered wallet',
    })
    return { address: rec.address, signature: `0x${bytesToHex(sig)}` }
  } catch {
    return null
  }
}

/** Forgets the choice (back to the identity's own account). */
export async function clearExternalChoice(db: IDBPDatabase): Promise<void> {
  await db.delete(SETTINGS_STORE, KEY)
}
