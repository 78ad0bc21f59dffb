import 'fake-indexeddb/auto'
import { type IDBPDatabase, openDB } from 'idb'
import { describe, expect, it } from 'vitest'
import { VaultError } from '../../shared/errors/crypto.ts'
import {
  generateRecordKey,
  openRecord,
  recordKey,
  SEALED_IV_BYTES,
  type SealedRecord,
  sealRecord,
} from './sealed.ts'
import { openVault } from './vault.ts'

const AAD = 'hashcard/v1/test'
const WHAT = { what: 'The test record' }
const text = new TextEncoder().encode('a secret at rest')

let n = 0
async function db(name = `sealed-test-${++n}`): Promise<IDBPDatabase> {
  return openDB(name, 1, {
    upgrade(d) {
      d.createObjectStore('kek')
    },
  })
}

describe('sealed records', () => {
  it('round-trips, with a fresh IV per seal and the plaintext nowhere in the record', async () => {
    const kek = await generateRecordKey()
    expect(kek.extractable).toBe(false)
    const a = await sealRecord(kek, text, AAD)
    const b = await sealRecord(kek, text, AAD)
    expect(a.v).toBe(1)
    expect(a.iv.length).toBe(SEALED_IV_BYTES)
    expect(a.ct.length).toBe(text.length + 16)
    expect(a.iv).not.toEqual(b.iv)
    expect(Buffer.from(a.ct).includes(Buffer.from(text))).toBe(false)
    expect(await openRecord(kek, a, AAD, WHAT)).toEqual(text)
    expect(await openRecord(kek, b, new TextEncoder().encode(AAD), WHAT)).toEqual(text)
    expect(await openRecord(kek, await sealRecord(kek, new Uint8Array(0), AAD), AAD, WHAT)).toEqual(
      new Uint8Array(0),
    )
  })

  it('a record bound to another AAD does not open (VaultError)', async () => {
    const kek = await generateRecordKey()
    const rec = await sealRecord(kek, text, AAD)
    const err = await openRecord(kek, rec, `${AAD}/other`, WHAT).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VaultError)
    expect((err as VaultError).shortMessage).toBe(
      'The test record cannot be opened on this device.',
    )
    expect((err as VaultError).details).toBe('AES-GCM authentication failed')
  })

  it('a tampered ciphertext, IV or tag does not open; nor does another key', async () => {
    const kek = await generateRecordKey()
    const rec = await sealRecord(kek, text, AAD)
    for (const [field, i] of [
      ['ct', 0],
      ['ct', rec.ct.length - 1],
      ['iv', 5],
    ] as const) {
      const bad = { ...rec, [field]: rec[field].slice() }
      bad[field][i]! ^= 1
      await expect(openRecord(kek, bad, AAD, WHAT)).rejects.toBeInstanceOf(VaultError)
    }
    await expect(
      openRecord(kek, { ...rec, ct: rec.ct.subarray(0, 20) }, AAD, WHAT),
    ).rejects.toBeInstanceOf(VaultError)
    await expect(openRecord(await generateRecordKey(), rec, AAD, WHAT)).rejects.toBeInstanceOf(
      VaultError,
    )
    const details = await openRecord(kek, rec, `${AAD}/x`, {
      what: 'X',
      details: 'card 0x01',
    }).catch((e: VaultError) => e.details)
    expect(details).toBe('card 0x01')
  })

  it('refuses unknown versions and malformed records with exact details', async () => {
    const kek = await generateRecordKey()
    const rec = await sealRecord(kek, text, AAD)
    const details = (r: unknown) =>
      openRecord(kek, r as SealedRecord, AAD, WHAT).then(
        () => 'opened',
        (e: unknown) => (e instanceof VaultError ? e.details : `not a VaultError: ${String(e)}`),
      )
    expect(await details({ ...rec, v: 2 })).toBe('unknown vault record version 2')
    expect(await details(undefined)).toBe('unknown vault record version undefined')
    expect(await details({ ...rec, iv: rec.iv.subarray(0, 8) })).toBe(
      'malformed vault record: iv: expected 12 bytes, got 8',
    )
    expect(await details({ ...rec, ct: 'abc' })).toBe(
      'malformed vault record: ct: expected Uint8Array, got string',
    )
    expect(await details({ ...rec, ct: new Uint8Array(15) })).toBe(
      'malformed vault record: ct: expected at least 16 bytes, got 15',
    )
  })

  it('checks its arguments', async () => {
    const kek = await generateRecordKey()
    await expect(sealRecord(kek, 'x' as unknown as Uint8Array, AAD)).rejects.toThrow(
      new TypeError('plaintext: expected Uint8Array, got string'),
    )
    await expect(sealRecord(null as unknown as CryptoKey, text, AAD)).rejects.toThrow(
      new TypeError('kek: expected AES-GCM CryptoKey, got null'),
    )
    const hmac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    await expect(sealRecord(hmac as CryptoKey, text, AAD)).rejects.toThrow(
      new TypeError('kek: expected AES-GCM CryptoKey, got HMAC'),
    )
    await expect(sealRecord(kek, text, 7 as unknown as string)).rejects.toThrow(
      new TypeError('aad: expected Uint8Array, got number'),
    )
  })

  it('the wrapping key is created once, even when connections ask at once', async () => {
    const name = 'sealed-test-race'
    const dbs = await Promise.all([0, 1, 2].map(() => db(name)))
    const keys = await Promise.all([...dbs, ...dbs].map((d) => recordKey(d, 'kek')))
    expect(await dbs[0]!.getAllKeys('kek')).toEqual(['kek'])
    const stored = (await dbs[0]!.get('kek', 'kek')) as CryptoKey
    expect(stored.extractable).toBe(false)
    // Every key the callers got opens what the stored one sealed.
    const rec = await sealRecord(stored, text, AAD)
    for (const k of [...keys, await recordKey(dbs[1]!, 'kek')])
      expect(await openRecord(k, rec, AAD, WHAT)).toEqual(text)
    for (const d of dbs) d.close()
  })

  it('keeps the wrapping key at the given IndexedDB key, across reopen', async () => {
    const name = 'sealed-test-reopen'
    const d = await db(name)
    const rec = await sealRecord(await recordKey(d, 'kek', 'other'), text, AAD)
    expect(await d.getAllKeys('kek')).toEqual(['other'])
    d.close()
    const again = await db(name)
    expect(await openRecord(await recordKey(again, 'kek', 'other'), rec, AAD, WHAT)).toEqual(text)
    again.close()
  })
})

describe('the identity vault on sealed records', () => {
  /** The identity vault's `save` as written before sealed.ts (commit 95214bd), verbatim. */
  async function legacySave(
    name: string,
    entropy: Uint8Array<ArrayBuffer>,
    address: string,
  ): Promise<void> {
    const d = await openDB(name, 1, {
      upgrade(x) {
        x.createObjectStore('vault')
      },
    })
    const kek = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ])
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const AAD = new TextEncoder().encode('hashcard/v1/vault')
    const ct = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: AAD }, kek, entropy),
    )
    const record = { v: 1, iv, ct, address, createdAt: Date.now() }
    const tx = d.transaction('vault', 'readwrite')
    await Promise.all([tx.store.put(kek, 'kek'), tx.store.put(record, 'seed'), tx.done])
    d.close()
  }

  it('an identity sealed by the code before sealed.ts opens with it', async () => {
    const name = 'sealed-test-legacy-identity'
    const entropy = crypto.getRandomValues(new Uint8Array(16))
    const address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
    await legacySave(name, entropy, address)
    const vault = await openVault(name)
    expect(await vault.address()).toBe(address)
    expect(await vault.load()).toEqual(entropy)
    vault.close()
  })

  it('writes the same record shape as before (v, iv, ct beside its clear fields)', async () => {
    const name = 'sealed-test-shape'
    const vault = await openVault(name)
    await vault.save(new Uint8Array(16).fill(1), '0x01')
    vault.close()
    const d = await openDB(name, 1)
    const rec = (await d.get('vault', 'seed')) as Record<string, unknown>
    expect(Object.keys(rec).sort()).toEqual(['address', 'createdAt', 'ct', 'iv', 'v'])
    expect(rec.v).toBe(1)
    expect((rec.iv as Uint8Array).length).toBe(12)
    // And it opens with the code before sealed.ts (raw AES-GCM under the stored key).
    const kek = (await d.get('vault', 'kek')) as CryptoKey
    const pt = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: rec.iv as Uint8Array<ArrayBuffer>,
        additionalData: new TextEncoder().encode('hashcard/v1/vault'),
      },
      kek,
      rec.ct as Uint8Array<ArrayBuffer>,
    )
    expect(new Uint8Array(pt)).toEqual(new Uint8Array(16).fill(1))
    d.close()
  })

  it('a missing wrapping key is a VaultError naming it', async () => {
    const name = 'sealed-test-no-kek'
    const vault = await openVault(name)
    await vault.save(new Uint8Array(16).fill(2), '0x02')
    const d = await openDB(name, 1)
    await d.delete('vault', 'kek')
    d.close()
    const err = await vault.load().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VaultError)
    expect((err as VaultError).shortMessage).toBe(
      'The stored identity cannot be opened on this device.',
    )
    expect((err as VaultError).details).toBe('wrapping key missing')
    vault.close()
  })
})
