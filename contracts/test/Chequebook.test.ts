import { type Address, encodeFunctionData, type Hex, keccak256 } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeAndWait } from '../../src/node/chain/_write.ts'
import { chequebookAbi } from '../../src/node/chain/abi.ts'
import { cashCheque } from '../../src/node/chain/cashCheque.ts'
import { type Cheque, signCheque, verifyCheque } from '../../src/node/chain/cheque.ts'
import { claimOwed } from '../../src/node/chain/claimOwed.ts'
import type { ChainContext } from '../../src/node/chain/clients.ts'
import { depositToChequebook } from '../../src/node/chain/depositToChequebook.ts'
import { postCard } from '../../src/node/chain/postCard.ts'
import { getChequebookAccount, getOwed, getPaid } from '../../src/node/chain/reads.ts'
import { announceWithdraw, withdrawDeposit } from '../../src/node/chain/withdrawDeposit.ts'
import { deployTestContract, gasCost, makeCard, setupChain, type TestChain } from './setup.ts'

let chain: TestChain
let creator: ChainContext
let payer: ChainContext
let payee: ChainContext
let relayer: ChainContext
let stranger: ChainContext
const DAY = 24 * 60 * 60

beforeAll(async () => {
  chain = await setupChain(6)
  ;[creator, payer, payee, relayer, stranger] = chain.ctx as [
    ChainContext,
    ChainContext,
    ChainContext,
    ChainContext,
    ChainContext,
  ]
})
afterAll(async () => {
  await chain?.stop()
})

const balance = (address: Address) => chain.ctx[0]!.publicClient.getBalance({ address })

async function newCard(): Promise<Hex> {
  return (await postCard(creator, { card: makeCard('streamed') })).cardId
}

async function cheque(signer: ChainContext, c: Cheque): Promise<Hex> {
  return signCheque(signer, { chequebook: chain.deployed.chequebook, cheque: c })
}

/** A fresh payer account funded from dev account 5, with `deposit` wei in its book. */
async function freshPayer(deposit: bigint): Promise<ChainContext> {
  const { privateKeyToAccount, generatePrivateKey } = await import('viem/accounts')
  const { createChainClients } = await import('../../src/node/chain/clients.ts')
  const account = privateKeyToAccount(generatePrivateKey())
  const ctx = {
    ...createChainClients({
      rpcUrl: chain.anvil.rpcUrl,
      chainId: chain.anvil.chainId,
      account,
      pollingInterval: 20,
    }),
    contracts: payer.contracts,
  }
  await chain.test.setBalance({ address: account.address, value: 10n ** 20n })
  if (deposit > 0n) await depositToChequebook(ctx, { value: deposit })
  return ctx
}

describe('Chequebook: deposit and cash', () => {
  it('splits each cashed amount between payee and creator exact to the wei', async () => {
    const p = await freshPayer(10n ** 18n)
    expect((await getChequebookAccount(p, { payer: p.account.address })).balance).toBe(10n ** 18n)
    const cardId = await newCard()
    const c1: Cheque = {
      payer: p.account.address,
      payee: payee.account.address,
      cardId,
      cumulative: 1_000_000_007n,
    }
    const s1 = await cheque(p, c1)
    const payeeBefore = await balance(payee.account.address)
    const owedBefore = await getOwed(creator, {
      account: creator.account.address,
      from: 'chequebook',
    })
    // A relayer submits, so the payee's balance moves by its share only.
    const r1 = await cashCheque(relayer, { cheque: c1, signature: s1 })
    expect(r1.amount).toBe(1_000_000_007n)
    expect(r1.royalty).toBe(100_000_000n) // floor(10 %)
    expect(await balance(payee.account.address)).toBe(payeeBefore + 900_000_007n)
    expect(await getOwed(creator, { account: creator.account.address, from: 'chequebook' })).toBe(
      owedBefore + 100_000_000n,
    )
    // The next cheque pays only the difference.
    const c2 = { ...c1, cumulative: 1_000_000_007n + 19n }
    const r2 = await cashCheque(relayer, { cheque: c2, signature: await cheque(p, c2) })
    expect(r2.amount).toBe(19n)
    expect(r2.royalty).toBe(1n)
    expect(await balance(payee.account.address)).toBe(payeeBefore + 900_000_007n + 18n)
    expect(
      await getPaid(p, { payer: p.account.address, payee: payee.account.address, cardId }),
    ).toBe(1_000_000_026n)
    expect((await getChequebookAccount(p, { payer: p.account.address })).balance).toBe(
      10n ** 18n - 1_000_000_026n,
    )
    // The creator takes its royalties.
    const owed = await getOwed(creator, { account: creator.account.address, from: 'chequebook' })
    const before = await balance(creator.account.address)
    const claim = await claimOwed(creator, { from: 'chequebook' })
    expect(await balance(creator.account.address)).toBe(before + owed - gasCost(claim.receipt))
  })

  it('refuses a replayed cheque and one below what was paid', async () => {
    const p = await freshPayer(10n ** 16n)
    const cardId = await newCard()
    const c: Cheque = {
      payer: p.account.address,
      payee: payee.account.address,
      cardId,
      cumulative: 5_000n,
    }
    const sig = await cheque(p, c)
    await cashCheque(payee, { cheque: c, signature: sig })
    await expect(cashCheque(payee, { cheque: c, signature: sig })).rejects.toMatchObject({
      name: 'NothingToCashError',
      details: 'NothingToCash(5000, 5000)',
    })
    const older = { ...c, cumulative: 4_000n }
    await expect(
      cashCheque(payee, { cheque: older, signature: await cheque(p, older) }),
    ).rejects.toMatchObject({ name: 'NothingToCashError', details: 'NothingToCash(4000, 5000)' })
    // Cumulative is per (payer, payee, card): the same amount for another card is new money.
    const other = { ...c, cardId: await newCard() }
    expect(
      (await cashCheque(payee, { cheque: other, signature: await cheque(p, other) })).amount,
    ).toBe(5_000n)
  })

  it('refuses bad signatures: another signer, a changed field, garbage', async () => {
    const p = await freshPayer(10n ** 16n)
    const cardId = await newCard()
    const c: Cheque = {
      payer: p.account.address,
      payee: payee.account.address,
      cardId,
      cumulative: 1_000n,
    }
    // Signed by someone else, claiming to be from p.
    const forged = await stranger.walletClient.signTypedData({
      account: stranger.account,
      domain: {
        name: 'Hashcard Chequebook',
        version: '1',
        chainId: chain.anvil.chainId,
        verifyingContract: chain.deployed.chequebook,
      },
      types: {
        Cheque: [
          { name: 'payer', type: 'address' },
          { name: 'payee', type: 'address' },
          { name: 'cardId', type: 'bytes32' },
          { name: 'cumulative', type: 'uint256' },
        ],
      },
      primaryType: 'Cheque',
      message: c,
    })
    await expect(cashCheque(payee, { cheque: c, signature: forged })).rejects.toMatchObject({
      name: 'ChequeSignatureError',
    })
    const sig = await cheque(p, c)
    await expect(
      cashCheque(payee, { cheque: { ...c, cumulative: 2_000n }, signature: sig }),
    ).rejects.toMatchObject({ name: 'ChequeSignatureError' })
    await expect(
      cashCheque(payee, { cheque: { ...c, payee: stranger.account.address }, signature: sig }),
    ).rejects.toMatchObject({ name: 'ChequeSignatureError' })
    await expect(
      cashCheque(payee, { cheque: c, signature: `0x${'11'.repeat(64)}` }),
    ).rejects.toMatchObject({ name: 'ChequeSignatureError' })
    await expect(cashCheque(payee, { cheque: c, signature: '0x1234' })).rejects.toMatchObject({
      name: 'ChequeSignatureError',
    })
    // The off-chain verifier agrees with the contract.
    const domain = { chainId: chain.anvil.chainId, chequebook: chain.deployed.chequebook }
    expect(await verifyCheque({ ...domain, cheque: c, signature: sig })).toBe(true)
    expect(await verifyCheque({ ...domain, cheque: c, signature: forged })).toBe(false)
    expect(
      await verifyCheque({ ...domain, cheque: { ...c, cumulative: 1_001n }, signature: sig }),
    ).toBe(false)
    expect(await verifyCheque({ ...domain, cheque: c, signature: '0x1234' })).toBe(false)
    expect(await verifyCheque({ ...domain, chainId: 1, cheque: c, signature: sig })).toBe(false)
    await expect(
      signCheque(stranger, { chequebook: chain.deployed.chequebook, cheque: c }),
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
    })
  })

  it('caps payment at the deposit; the rest stays cashable after a new deposit', async () => {
    const p = await freshPayer(1_000n)
    const cardId = await newCard()
    const c: Cheque = {
      payer: p.account.address,
      payee: payee.account.address,
      cardId,
      cumulative: 5_000n,
    }
    const sig = await cheque(p, c)
    const r1 = await cashCheque(payee, { cheque: c, signature: sig })
    expect(r1.amount).toBe(1_000n)
    expect((await getChequebookAccount(p, { payer: p.account.address })).balance).toBe(0n)
    await expect(cashCheque(payee, { cheque: c, signature: sig })).rejects.toMatchObject({
      name: 'EmptyChequebookError',
    })
    await depositToChequebook(p, { value: 10_000n })
    const r2 = await cashCheque(payee, { cheque: c, signature: sig })
    expect(r2.amount).toBe(4_000n)
    expect((await getChequebookAccount(p, { payer: p.account.address })).balance).toBe(6_000n)
  })

  it('refuses cheques for cards that were never posted', async () => {
    const p = await freshPayer(1_000n)
    const c: Cheque = {
      payer: p.account.address,
      payee: payee.account.address,
      cardId: keccak256('0xdead'),
      cumulative: 1n,
    }
    await expect(
      cashCheque(payee, { cheque: c, signature: await cheque(p, c) }),
    ).rejects.toMatchObject({
      name: 'UnknownCardError',
    })
  })
})

describe('Chequebook: time-locked withdraw', () => {
  it('needs an announcement and the delay; payees can still cash meanwhile', async () => {
    const p = await freshPayer(10_000n)
    await expect(withdrawDeposit(p, {})).rejects.toMatchObject({ name: 'NoWithdrawAnnouncedError' })
    await announceWithdraw(p, { amount: 8_000n })
    const acct = await getChequebookAccount(p, { payer: p.account.address })
    expect(acct.announced).toBe(8_000n)
    await expect(withdrawDeposit(p, {})).rejects.toMatchObject({ name: 'WithdrawLockedError' })
    await chain.advance(DAY - 60)
    await expect(withdrawDeposit(p, {})).rejects.toMatchObject({ name: 'WithdrawLockedError' })
    // A payee cashes during the lock.
    const cardId = await newCard()
    const c: Cheque = {
      payer: p.account.address,
      payee: payee.account.address,
      cardId,
      cumulative: 3_000n,
    }
    await cashCheque(payee, { cheque: c, signature: await cheque(p, c) })
    await chain.advance(120)
    const before = await balance(p.account.address)
    const { receipt } = await withdrawDeposit(p, {})
    // Only 7,000 was left, so that is what the payer gets.
    expect(await balance(p.account.address)).toBe(before + 7_000n - gasCost(receipt))
    expect(await getChequebookAccount(p, { payer: p.account.address })).toEqual({
      balance: 0n,
      unlockAt: 0,
      announced: 0n,
    })
    await expect(withdrawDeposit(p, {})).rejects.toMatchObject({ name: 'NoWithdrawAnnouncedError' })
  })
})

describe('Chequebook: reentrancy and refusing payees', () => {
  it('a payee contract cannot re-enter cash, withdraw or claim from its receive()', async () => {
    const evil = await deployTestContract(stranger, 'Reentrant')
    const p = await freshPayer(10n ** 15n)
    const cardId = await newCard()
    const c1: Cheque = { payer: p.account.address, payee: evil.address, cardId, cumulative: 1_000n }
    const c2: Cheque = { ...c1, cumulative: 2_000n }
    const s2 = await cheque(p, c2)
    const read = (functionName: string) =>
      stranger.publicClient.readContract({
        address: evil.address,
        abi: evil.abi,
        functionName,
        args: [],
      })
    const setReentry = (data: Hex) =>
      writeAndWait(
        stranger,
        {
          address: evil.address,
          abi: evil.abi,
          functionName: 'setReentry',
          args: [chain.deployed.chequebook, data],
        },
        undefined,
      )
    // Re-entering `cash` with a newer cheque while the first payout runs.
    await setReentry(
      encodeFunctionData({ abi: chequebookAbi, functionName: 'cash', args: [c2, s2] }),
    )
    await cashCheque(relayer, { cheque: c1, signature: await cheque(p, c1) })
    expect(await read('attempted')).toBe(true)
    expect(await read('reentered')).toBe(false)
    expect(await balance(evil.address)).toBe(900n)
    expect(await getPaid(p, { payer: p.account.address, payee: evil.address, cardId })).toBe(1_000n)
    // Re-entering `claim` (the creator's royalties are not the payee's anyway).
    await setReentry(encodeFunctionData({ abi: chequebookAbi, functionName: 'claim' }))
    await cashCheque(relayer, { cheque: c2, signature: s2 })
    expect(await read('attempted')).toBe(true)
    expect(await read('reentered')).toBe(false)
    expect(await balance(evil.address)).toBe(1_800n)
  })

  it('credits a payee that refuses ether instead of blocking the cheque', async () => {
    const evil = await deployTestContract(stranger, 'Reentrant')
    await writeAndWait(
      stranger,
      { address: evil.address, abi: evil.abi, functionName: 'setRefuse', args: [true] },
      undefined,
    )
    const p = await freshPayer(10n ** 15n)
    const cardId = await newCard()
    const c: Cheque = { payer: p.account.address, payee: evil.address, cardId, cumulative: 10_000n }
    const r = await cashCheque(relayer, { cheque: c, signature: await cheque(p, c) })
    expect(r.amount).toBe(10_000n)
    expect(await balance(evil.address)).toBe(0n)
    expect(await getOwed(p, { account: evil.address, from: 'chequebook' })).toBe(9_000n)
  })
})
