import { secp256k1 } from '@noble/curves/secp256k1.js'
import fc from 'fast-check'
import { bytesToHex, getAddress, type Hex, keccak256, toBytes, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setupChain, type TestChain } from '../../../contracts/test/setup.ts'
import { chequebookAbi } from '../chain/abi.ts'
import { cashCheque } from '../chain/cashCheque.ts'
import { hashCheque, signCheque, verifyCheque } from '../chain/cheque.ts'
import { depositToChequebook } from '../chain/depositToChequebook.ts'
import { postCard } from '../chain/postCard.ts'
import {
  type ChequeLine,
  chequeDomainSeparator,
  chequeHasher,
  createChequeVerifier,
  signChequeBytes,
} from './cheques.ts'

let chain: TestChain
beforeAll(async () => {
  chain = await setupChain(3)
})
afterAll(async () => {
  await chain?.stop()
})

const N = secp256k1.Point.Fn.ORDER
const u256 = (n: bigint) => toBytes(n, { size: 32 })
/** The same signature with `s' = n − s` and the other `v`: valid for ecrecover, not for OZ. */
function malleate(sig: Uint8Array): Uint8Array {
  const s = BigInt(bytesToHex(sig.slice(32, 64)))
  return Uint8Array.from([...sig.slice(0, 32), ...u256(N - s), sig[64] === 27 ? 28 : 27])
}

describe('cheques: hashing and signing agree with viem and the contract', () => {
  it('the domain separator and digest match the contract and viem for random lines', async () => {
    const onChain = await chain.ctx[0]!.publicClient.readContract({
      address: chain.deployed.chequebook,
      abi: chequebookAbi,
      functionName: 'domainSeparator',
    })
    expect(bytesToHex(chequeDomainSeparator(chain.anvil.chainId, chain.deployed.chequebook))).toBe(
      onChain,
    )
    const addr = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(toHex(b)))
    fc.assert(
      fc.property(
        fc.record({
          chainId: fc.integer({ min: 1, max: 2 ** 40 }),
          chequebook: addr,
          payer: addr,
          payee: addr,
          cardId: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b)),
        }),
        fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
        (line, cumulative) => {
          const { chainId, chequebook, ...rest } = line
          expect(bytesToHex(chequeHasher(line)(cumulative))).toBe(
            hashCheque({ chainId, chequebook }, { ...rest, cumulative }),
          )
        },
      ),
      { numRuns: 200 },
    )
  })

  it('signs as viem does; the verifier, viem and the contract agree on every case', async () => {
    const [creator, payer, payee] = chain.ctx as [
      (typeof chain.ctx)[0],
      (typeof chain.ctx)[0],
      (typeof chain.ctx)[0],
    ]
    const { cardId } = await postCard(creator, { card: toHex('{"v":1,"kind":"post","title":"c"}') })
    const line: ChequeLine = {
      chainId: chain.anvil.chainId,
      chequebook: chain.deployed.chequebook,
      payer: payer.account.address,
      payee: payee.account.address,
      cardId,
    }
    const account = privateKeyToAccount(
      '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d', // anvil #1
    )
    expect(account.address).toBe(payer.account.address)
    const sig = await signChequeBytes(account, line, 5_000n)
    const viemSig = await signCheque(payer, {
      chequebook: line.chequebook,
      cheque: { payer: line.payer, payee: line.payee, cardId, cumulative: 5_000n },
    })
    expect(bytesToHex(sig)).toBe(viemSig)
    const check = createChequeVerifier().forLine(line)
    const viemCheck = (cumulative: bigint, s: Uint8Array) =>
      verifyCheque({
        chainId: line.chainId,
        chequebook: line.chequebook,
        cheque: { payer: line.payer, payee: line.payee, cardId, cumulative },
        signature: bytesToHex(s),
      })
    // Twice each: the first check recovers the key, the second uses its table.
    for (let round = 0; round < 2; round++) {
      expect(check(5_000n, sig)).toBe(true)
      expect(check(5_001n, sig)).toBe(false)
      expect(check(5_000n, malleate(sig))).toBe(false)
      const flipped = sig.slice()
      flipped[64] = sig[64] === 27 ? 28 : 27
      expect(check(5_000n, flipped)).toBe(false)
      expect(check(5_000n, sig.slice(0, 64))).toBe(false)
      expect(check(5_000n, new Uint8Array(65))).toBe(false)
    }
    expect(await viemCheck(5_000n, sig)).toBe(true)
    expect(await viemCheck(5_001n, sig)).toBe(false)
    // Another signer's cheque for this payer fails here, in viem and on-chain.
    const stranger = privateKeyToAccount(generatePrivateKey())
    const forged = await signChequeBytes(stranger, { ...line, payer: stranger.address }, 5_000n)
    expect(check(5_000n, forged)).toBe(false)
    expect(await viemCheck(5_000n, forged)).toBe(false)
    // The contract refuses the malleated form the verifier refuses, and pays the real one.
    await depositToChequebook(payer, { value: 10n ** 15n })
    const cheque = { payer: line.payer, payee: line.payee, cardId, cumulative: 5_000n }
    await expect(
      cashCheque(payee, { cheque, signature: bytesToHex(malleate(sig)) }),
    ).rejects.toMatchObject({ name: 'ChequeSignatureError' })
    expect((await cashCheque(payee, { cheque, signature: bytesToHex(sig) })).amount).toBe(5_000n)
    await expect(signChequeBytes(stranger, line, 1n)).rejects.toMatchObject({
      name: 'InvalidInputError',
    })
  })
})

describe('cheques: verification rate', () => {
  it('verifies 1,000 cheques on one line (prints the rate, Node)', () => {
    const sk = secp256k1.utils.randomSecretKey()
    const payer = privateKeyToAccount(bytesToHex(sk) as Hex).address
    const line: ChequeLine = {
      chainId: 31337,
      chequebook: getAddress(`0x${'ab'.repeat(20)}`),
      payer,
      payee: getAddress(`0x${'cd'.repeat(20)}`),
      cardId: keccak256(toHex('rate')),
    }
    const digest = chequeHasher(line)
    const cheques = Array.from({ length: 1_000 }, (_, i) => {
      const cumulative = BigInt(i + 1) * 10n ** 12n
      const s = secp256k1.Signature.fromBytes(
        secp256k1.sign(digest(cumulative), sk, { prehash: false, format: 'recovered' }),
        'recovered',
      )
      const sig = Uint8Array.from([...u256(s.r), ...u256(s.s), 27 + (s.recovery as number)])
      return { cumulative, sig }
    })
    const check = createChequeVerifier().forLine(line)
    const t0 = performance.now()
    // The first cheque recovers the key; the second builds its table (lazily).
    let ok =
      check(cheques[0]!.cumulative, cheques[0]!.sig) &&
      check(cheques[1]!.cumulative, cheques[1]!.sig)
    const t1 = performance.now()
    for (const c of cheques.slice(2)) ok = check(c.cumulative, c.sig) && ok
    const t2 = performance.now()
    expect(ok).toBe(true)
    const rate = (n: number, ms: number) => Math.round((n / ms) * 1000)
    console.log(
      `cheque_verify_per_s (Node, not a Chromium worker): ${rate(cheques.length, t2 - t0)} over 1,000 cheques including the first recovery and table (${Math.round(t1 - t0)} ms), ${rate(cheques.length - 2, t2 - t1)} after`,
    )
    // Tampered cheques on the table path fail too.
    expect(check(cheques[0]!.cumulative + 1n, cheques[0]!.sig)).toBe(false)
  })

  it('never throws, whatever the bytes', () => {
    const check = createChequeVerifier().forLine({
      chainId: 1,
      chequebook: getAddress(`0x${'ab'.repeat(20)}`),
      payer: getAddress(`0x${'12'.repeat(20)}`),
      payee: getAddress(`0x${'cd'.repeat(20)}`),
      cardId: keccak256('0x01'),
    })
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
        fc.uint8Array({ minLength: 60, maxLength: 70 }),
        fc.constantFrom(27, 28),
        (cumulative, raw, v) => {
          const sig = raw.length >= 65 ? Uint8Array.from([...raw.slice(0, 64), v]) : raw
          expect(check(cumulative, sig)).toBe(false)
        },
      ),
      { numRuns: 200 },
    )
  })
})
