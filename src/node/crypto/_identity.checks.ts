/**
 * Identity, backup and key-wrapping checks (DESIGN §2, §4.4), portable between vitest and the
 * Chromium worker.
 */

import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { x25519 } from '@noble/curves/ed25519.js'
import {
  assert,
  assertBytes,
  assertEqual,
  assertRejects,
  type Check,
  hex,
  toHex,
} from './_assert.ts'
import { decryptBackup, encryptBackup, parseBackup } from './backup.ts'
import { openContentKey, sealContentKey } from './hpke.ts'
import { deriveIdentity } from './identity.ts'
import { parseMnemonic, seedFromEntropy } from './mnemonic.ts'
import { openVault } from './vault.ts'

const ANVIL = 'test test test test test test test test test test test junk'
const FAST = { N: 1024, r: 8, p: 1 }

export const identityChecks: Check[] = [
  {
    name: "identity: EVM account on m/44'/60'/0'/0/0 (anvil mnemonic), stable peer id",
    run: async () => {
      const seed = await seedFromEntropy(parseMnemonic(ANVIL))
      const a = await deriveIdentity(seed)
      assertEqual(a.address, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', 'address')
      const b = await deriveIdentity(seed)
      assertEqual(
        peerIdFromPrivateKey(a.peerKey).toString(),
        peerIdFromPrivateKey(b.peerKey).toString(),
        'peer id stable',
      )
      assertBytes(a.wrapPublic, x25519.getPublicKey(a.wrapSecret), 'wrap pair')
      const secrets = [a.contentMaster, a.wrapSecret, a.peerKey.raw.subarray(0, 32)].map(toHex)
      assertEqual(new Set(secrets).size, 3, 'distinct secrets')
      const other = await deriveIdentity(
        await seedFromEntropy(parseMnemonic(`${'abandon '.repeat(11)}about`)),
      )
      assert(toHex(other.contentMaster) !== secrets[0], 'other mnemonic, other master')
    },
  },
  {
    name: 'mnemonic errors name the unknown word, the count, or the checksum',
    run: async () => {
      const unknown = await assertRejects(
        async () => parseMnemonic('abandon abandon zebraa abandon'),
        'MnemonicError',
        'unknown word',
      )
      assert(
        unknown.message.includes('Word 3') && unknown.message.includes('zebraa'),
        unknown.message,
      )
      const count = await assertRejects(
        async () => parseMnemonic('abandon abandon abandon'),
        'MnemonicError',
        'count',
      )
      assert(count.message.includes('3'), count.message)
      const sum = await assertRejects(
        async () => parseMnemonic(`${'abandon '.repeat(11)}abandon`),
        'MnemonicError',
        'checksum',
      )
      assert(sum.message.includes('checksum'), sum.message)
      assertEqual(
        toHex(parseMnemonic(`  Abandon ${'abandon  '.repeat(10)}ABOUT `)),
        '00'.repeat(16),
        'normalized',
      )
    },
  },
  {
    name: 'backup: round trip; wrong passphrase and malformed files give typed errors',
    run: async () => {
      const entropy = hex('7f'.repeat(16))
      const addr = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
      const text = await encryptBackup(entropy, addr, 'correct horse', { scrypt: FAST })
      const back = await decryptBackup(text, 'correct horse')
      assertBytes(back.entropy, entropy, 'entropy')
      assertEqual(back.address, addr, 'address')
      await assertRejects(
        () => decryptBackup(text, 'wrong horse'),
        'WrongPassphraseError',
        'wrong passphrase',
      )
      const file = JSON.parse(text)
      const tampered = JSON.stringify({
        ...file,
        address: '0x0000000000000000000000000000000000000001',
      })
      await assertRejects(
        () => decryptBackup(tampered, 'correct horse'),
        'WrongPassphraseError',
        'address altered',
      )
      // Key order in the file does not matter.
      const reordered = JSON.stringify({
        ct: file.ct,
        cipher: file.cipher,
        kdf: file.kdf,
        address: addr,
        v: 1,
        format: file.format,
      })
      assertBytes(
        (await decryptBackup(reordered, 'correct horse')).entropy,
        entropy,
        'reordered keys',
      )
      for (const bad of [
        '',
        'not json',
        '{}',
        '[]',
        'null',
        JSON.stringify({ ...file, v: 2 }),
        JSON.stringify({ ...file, kdf: { ...file.kdf, N: 3 } }),
        JSON.stringify({ ...file, kdf: { ...file.kdf, N: 2 ** 30 } }),
        // Within each field's range, but 4 GiB of memory (scrypt would throw a plain Error)…
        JSON.stringify({ ...file, kdf: { ...file.kdf, N: 2 ** 20, r: 32 } }),
        // …or 1 GiB sixteen times over (minutes of work).
        JSON.stringify({ ...file, kdf: { ...file.kdf, N: 2 ** 20, r: 8, p: 16 } }),
        JSON.stringify({ ...file, ct: '!!' }),
        'x'.repeat(20000),
      ])
        await assertRejects(
          async () => parseBackup(bad),
          'BackupFormatError',
          `malformed ${bad.slice(0, 20)}`,
        )
    },
  },
  {
    name: 'backup: scrypt stops when its AbortSignal fires',
    run: async () => {
      const entropy = new Uint8Array(16)
      const addr = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
      await assertRejects(
        () => encryptBackup(entropy, addr, 'pw', { signal: AbortSignal.abort() }),
        'AbortedError',
        'pre-aborted',
      )
      // Aborted while scrypt runs (from its own progress callback, so the timing is exact on
      // every platform): a typed AbortedError, scrypt stopped short of the end.
      const ctl = new AbortController()
      let last = 0
      await assertRejects(
        () =>
          encryptBackup(entropy, addr, 'pw', {
            signal: ctl.signal,
            scrypt: { N: 2 ** 15, r: 8, p: 1 },
            onProgress: (f) => {
              last = f
              if (f > 0.1) ctl.abort()
            },
          }),
        'AbortedError',
        'mid-way',
      )
      assert(last < 0.5, `stopped early (at ${last})`)
    },
  },
  {
    name: 'HPKE wrap: opens for its recipient, card and token only',
    run: async () => {
      const sk = crypto.getRandomValues(new Uint8Array(32))
      const pk = x25519.getPublicKey(sk)
      const key = crypto.getRandomValues(new Uint8Array(32))
      const card = crypto.getRandomValues(new Uint8Array(32))
      const wrapped = await sealContentKey(pk, key, card, 42n)
      assertEqual(wrapped.length, 80, 'wrapped length')
      assertBytes(await openContentKey(sk, wrapped, card, 42n), key, 'opened')
      await assertRejects(
        () => openContentKey(sk, wrapped, card, 43n),
        'KeyUnwrapError',
        'other token',
      )
      await assertRejects(
        () => openContentKey(sk, wrapped, new Uint8Array(32), 42n),
        'KeyUnwrapError',
        'other card',
      )
      await assertRejects(
        () => openContentKey(crypto.getRandomValues(new Uint8Array(32)), wrapped, card, 42n),
        'KeyUnwrapError',
        'other recipient',
      )
      const flipped = wrapped.slice()
      flipped[50] = flipped[50]! ^ 1
      await assertRejects(() => openContentKey(sk, flipped, card, 42n), 'KeyUnwrapError', 'altered')
      await assertRejects(() => sealContentKey(pk, key, card, -1n), 'RangeError', 'negative token')
    },
  },
  {
    name: 'vault: the entropy at rest opens only with its non-extractable key; survives reopen',
    run: async () => {
      const name = `vault-check-${Date.now()}-${Math.random()}`
      const vault = await openVault(name)
      assertEqual(await vault.load(), null, 'empty')
      const entropy = crypto.getRandomValues(new Uint8Array(16))
      await vault.save(entropy, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
      vault.close()
      const again = await openVault(name)
      assertBytes((await again.load()) ?? new Uint8Array(0), entropy, 'reopened')
      assertEqual(await again.address(), '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', 'address')
      // The stored key object cannot be exported.
      const { openDB } = await import('idb')
      const db = await openDB(name, 1)
      const kek = (await db.get('vault', 'kek')) as CryptoKey
      assertEqual(kek.extractable, false, 'non-extractable')
      // Chromium says InvalidAccessError, Node 20 InvalidAccessException: any refusal will do.
      const exported = await crypto.subtle.exportKey('raw', kek).then(
        () => true,
        () => false,
      )
      assertEqual(exported, false, 'export refused')
      const rec = await db.get('vault', 'seed')
      rec.ct[0] ^= 1
      await db.put('vault', rec, 'seed')
      db.close()
      await assertRejects(() => again.load(), 'VaultError', 'altered record')
      await again.clear()
      assertEqual(await again.load(), null, 'cleared')
      again.close()
    },
  },
]
