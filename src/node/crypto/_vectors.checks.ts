/**
 * Published test vectors for every primitive of the content core, as portable checks (run by
 * vectors.test.ts in Node and by the Chromium worker in store/browser.test.ts).
 */
import { gcm } from '@noble/ciphers/aes.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { scrypt } from '@noble/hashes/scrypt.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { assertBytes, assertEqual, assertHex, type Check, hex, toHex } from './_assert.ts'
import { bs } from './bytes.ts'
import { wrapSuite } from './hpke.ts'
import { entropyToPhrase, parseMnemonic, seedFromEntropy } from './mnemonic.ts'

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13–16 (AES-256), the
// vectors NIST SP 800-38D adopted.
const GCM = [
  {
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    pt: '',
    aad: '',
    ct: '',
    tag: '530f8afbc74536b9a963b4f1c4cb738b',
  },
  {
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    pt: '00'.repeat(16),
    aad: '',
    ct: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  {
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    iv: 'cafebabefacedbaddecaf888',
    pt: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255',
    aad: '',
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad',
    tag: 'b094dac5d93471bdec1a502270e3cc6c',
  },
  {
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    iv: 'cafebabefacedbaddecaf888',
    pt: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
]

// FIPS 180-2 examples and the NIST "one million a" vector.
const SHA256 = [
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [
    'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  ],
  ['a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
] as const

// RFC 5869 appendix A, test cases 1 and 3.
const HKDF = [
  {
    ikm: '0b'.repeat(22),
    salt: '000102030405060708090a0b0c',
    info: 'f0f1f2f3f4f5f6f7f8f9',
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  },
  {
    ikm: '0b'.repeat(22),
    salt: '',
    info: '',
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
  },
]

// Trezor's BIP-39 vectors (python-mnemonic vectors.json, passphrase "TREZOR").
const BIP39 = [
  [
    '00000000000000000000000000000000',
    'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
    'c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04',
  ],
  [
    '7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f',
    'legal winner thank year wave sausage worth useful legal winner thank yellow',
    '2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607',
  ],
  [
    '80808080808080808080808080808080',
    'letter advice cage absurd amount doctor acoustic avoid letter advice cage above',
    'd71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b5c462a0358d18d69fe4f985ec81778c1b370b652a8',
  ],
  [
    '0000000000000000000000000000000000000000000000000000000000000000',
    `${'abandon '.repeat(23)}art`,
    'bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8d561a7c3de6f5d4a10be8ed2a5e608d68f92fcc8',
  ],
] as const

// RFC 7914 §12, the two cheapest vectors.
const SCRYPT = [
  {
    P: '',
    S: '',
    N: 16,
    r: 1,
    p: 1,
    dk: '77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906',
  },
  {
    P: 'password',
    S: 'NaCl',
    N: 1024,
    r: 8,
    p: 16,
    dk: 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640',
  },
]

// RFC 9180 appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode.
export const HPKE_A1 = {
  info: '4f6465206f6e2061204772656369616e2055726e',
  ikmE: '7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234',
  skRm: '4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8',
  pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d',
  enc: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
  pt: '4265617574792069732074727574682c20747275746820626561757479',
  seqs: [
    [
      '436f756e742d30',
      'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a',
    ],
    [
      '436f756e742d31',
      'af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab251c03d0c22a56b8ca42c2063b84',
    ],
    [
      '436f756e742d32',
      '498dfcabd92e8acedc281e85af1cb4e3e31c7dc394a1ca20e173cb72516491588d96a19ad4a683518973dcc180',
    ],
  ],
} as const

const buf = (h: string) => bs(hex(h)).slice().buffer

export const vectorChecks: Check[] = [
  {
    name: 'AES-256-GCM: McGrew–Viega / NIST test cases 13–16 (WebCrypto and noble)',
    run: async () => {
      for (const [n, v] of GCM.entries()) {
        const key = await crypto.subtle.importKey('raw', bs(hex(v.key)), 'AES-GCM', false, [
          'encrypt',
          'decrypt',
        ])
        const params = { name: 'AES-GCM', iv: bs(hex(v.iv)), additionalData: bs(hex(v.aad)) }
        const out = new Uint8Array(await crypto.subtle.encrypt(params, key, bs(hex(v.pt))))
        assertHex(out, v.ct + v.tag, `WebCrypto case ${13 + n}`)
        assertHex(
          gcm(hex(v.key), hex(v.iv), hex(v.aad)).encrypt(hex(v.pt)),
          v.ct + v.tag,
          `noble case ${13 + n}`,
        )
        const back = new Uint8Array(await crypto.subtle.decrypt(params, key, bs(out)))
        assertHex(back, v.pt, `decrypt case ${13 + n}`)
      }
    },
  },
  {
    name: 'AES-256-GCM: WebCrypto agrees with @noble/ciphers on random inputs',
    run: async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.uint8Array({ minLength: 12, maxLength: 12 }),
          fc.uint8Array({ maxLength: 64 }),
          fc.uint8Array({ maxLength: 300 }),
          async (k, iv, aad, pt) => {
            const key = await crypto.subtle.importKey('raw', bs(k), 'AES-GCM', false, ['encrypt'])
            const web = new Uint8Array(
              await crypto.subtle.encrypt(
                { name: 'AES-GCM', iv: bs(iv), additionalData: bs(aad) },
                key,
                bs(pt),
              ),
            )
            assertBytes(web, gcm(k, iv, aad).encrypt(pt), 'WebCrypto vs noble')
          },
        ),
        { numRuns: 50 },
      )
    },
  },
  {
    name: 'SHA-256: FIPS 180-2 vectors (WebCrypto and noble)',
    run: async () => {
      for (const [msg, digest] of SHA256) {
        const m = utf8ToBytes(msg)
        assertHex(
          new Uint8Array(await crypto.subtle.digest('SHA-256', bs(m))),
          digest,
          `WebCrypto "${msg.slice(0, 8)}"`,
        )
        assertHex(sha256(m), digest, `noble "${msg.slice(0, 8)}"`)
      }
    },
  },
  {
    name: 'HKDF-SHA256: RFC 5869 test cases 1 and 3 (noble and WebCrypto)',
    run: async () => {
      for (const v of HKDF) {
        assertHex(hkdf(sha256, hex(v.ikm), hex(v.salt), hex(v.info), 42), v.okm, 'noble hkdf')
        const k = await crypto.subtle.importKey('raw', bs(hex(v.ikm)), 'HKDF', false, [
          'deriveBits',
        ])
        const bits = await crypto.subtle.deriveBits(
          { name: 'HKDF', hash: 'SHA-256', salt: bs(hex(v.salt)), info: bs(hex(v.info)) },
          k,
          42 * 8,
        )
        assertHex(new Uint8Array(bits), v.okm, 'WebCrypto hkdf')
      }
    },
  },
  {
    name: 'BIP-39: Trezor vectors (entropy ↔ mnemonic, seed with passphrase "TREZOR")',
    run: async () => {
      for (const [entropy, phrase, seed] of BIP39) {
        assertEqual(entropyToPhrase(hex(entropy)), phrase, 'entropy → mnemonic')
        assertHex(parseMnemonic(phrase), entropy, 'mnemonic → entropy')
        assertHex(await seedFromEntropy(hex(entropy), 'TREZOR'), seed, 'seed')
      }
    },
  },
  {
    name: 'scrypt: RFC 7914 §12 vectors',
    run: async () => {
      for (const v of SCRYPT)
        assertHex(scrypt(v.P, v.S, { N: v.N, r: v.r, p: v.p, dkLen: 64 }), v.dk, `scrypt N=${v.N}`)
    },
  },
  {
    name: 'HPKE: RFC 9180 A.1.1 (X25519, HKDF-SHA256, AES-128-GCM) seal and open',
    run: async () => {
      const v = HPKE_A1
      const suite = wrapSuite()
      const pkR = await suite.kem.importKey('raw', buf(v.pkRm), true)
      const skR = await suite.kem.importKey('raw', buf(v.skRm), false)
      const ekm = await suite.kem.deriveKeyPair(buf(v.ikmE))
      const sender = await suite.createSenderContext({
        recipientPublicKey: pkR,
        info: buf(v.info),
        ekm,
      })
      assertHex(new Uint8Array(sender.enc), v.enc, 'enc')
      const recipient = await suite.createRecipientContext({
        recipientKey: skR,
        enc: sender.enc,
        info: buf(v.info),
      })
      for (const [aad, ct] of v.seqs) {
        assertHex(new Uint8Array(await sender.seal(buf(v.pt), buf(aad))), ct, `seal ${aad}`)
        assertHex(new Uint8Array(await recipient.open(buf(ct), buf(aad))), v.pt, `open ${aad}`)
      }
      assertEqual(toHex(new Uint8Array(await suite.kem.serializePublicKey(pkR))), v.pkRm, 'pkR')
    },
  },
]
