import {
  concat,
  encodeAbiParameters,
  keccak256,
  parseAbiParameters,
  toHex,
  zeroAddress,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setupChain, type TestChain } from '../../../contracts/test/setup.ts'
import { chequebookAbi } from './abi.ts'
import { assertCheque, type Cheque, hashCheque, signCheque, verifyCheque } from './cheque.ts'

let chain: TestChain
beforeAll(async () => {
  chain = await setupChain(2)
})
afterAll(async () => {
  await chain?.stop()
})

const cheque = (): Cheque => ({
  payer: chain.ctx[0]!.account.address,
  payee: chain.ctx[1]!.account.address,
  cardId: keccak256(toHex('a card')),
  cumulative: 123_456_789n,
})

describe('cheque (EIP-712)', () => {
  it('hashes as EIP-712 spells it out, under the domain the contract uses', async () => {
    const c = cheque()
    const read = (functionName: 'domainSeparator' | 'CHEQUE_TYPEHASH') =>
      chain.ctx[0]!.publicClient.readContract({
        address: chain.deployed.chequebook,
        abi: chequebookAbi,
        functionName,
      })
    const typeHash = keccak256(
      toHex('Cheque(address payer,address payee,bytes32 cardId,uint256 cumulative)'),
    )
    expect(await read('CHEQUE_TYPEHASH')).toBe(typeHash)
    const domainSeparator = keccak256(
      encodeAbiParameters(parseAbiParameters('bytes32, bytes32, bytes32, uint256, address'), [
        keccak256(
          toHex(
            'EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)',
          ),
        ),
        keccak256(toHex('Hashcard Chequebook')),
        keccak256(toHex('1')),
        31337n,
        chain.deployed.chequebook,
      ]),
    )
    expect(await read('domainSeparator')).toBe(domainSeparator)
    const structHash = keccak256(
      encodeAbiParameters(parseAbiParameters('bytes32, address, address, bytes32, uint256'), [
        typeHash,
        c.payer,
        c.payee,
        c.cardId,
        c.cumulative,
      ]),
    )
    const digest = keccak256(concat(['0x1901', domainSeparator, structHash]))
    expect(hashCheque({ chainId: 31337, chequebook: chain.deployed.chequebook }, c)).toBe(digest)
  })

  it('signs and verifies; any changed field or domain fails', async () => {
    const c = cheque()
    const domain = { chainId: 31337, chequebook: chain.deployed.chequebook }
    const signature = await signCheque(chain.ctx[0]!, { chequebook: domain.chequebook, cheque: c })
    expect(await verifyCheque({ ...domain, cheque: c, signature })).toBe(true)
    for (const changed of [
      { ...c, cumulative: c.cumulative + 1n },
      { ...c, payee: c.payer },
      { ...c, cardId: keccak256('0x00') },
    ]) {
      expect(await verifyCheque({ ...domain, cheque: changed, signature })).toBe(false)
    }
    expect(
      await verifyCheque({ ...domain, chequebook: chain.deployed.keyMarket, cheque: c, signature }),
    ).toBe(false)
  })

  it('checks the shape of cheques from peers', () => {
    const c = cheque()
    expect(() => assertCheque(c)).not.toThrow()
    expect(() => assertCheque({ ...c, payer: '0x1234' })).toThrow('payer')
    expect(() => assertCheque({ ...c, payee: 'nope' as `0x${string}` })).toThrow('payee')
    expect(() => assertCheque({ ...c, cardId: '0x1234' })).toThrow('32 bytes')
    expect(() => assertCheque({ ...c, cumulative: -1n })).toThrow('uint256')
    expect(() => assertCheque({ ...c, cumulative: 2n ** 256n })).toThrow('uint256')
    expect(() => assertCheque({ ...c, cumulative: 5 as unknown as bigint })).toThrow('uint256')
    expect(() => assertCheque({ ...c, payer: zeroAddress })).not.toThrow()
  })
})
