import { type Address, encodeFunctionData, type Hex, keccak256, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeAndWait } from '../../src/node/chain/_write.ts'
import { chequebookAbi } from '../../src/node/chain/abi.ts'
import { cashCheque } from '../../src/node/chain/cashCheque.ts'
import { cashChequeBatch } from '../../src/node/chain/cashChequeBatch.ts'
import { type Cheque, signCheque, verifyCheque } from '../../src/node/chain/cheque.ts'
import { claimOwed } from '../../src/node/chain/claimOwed.ts'
import type { ChainContext } from '../../src/node/chain/clients.ts'
import { depositForChequebook } from '../../src/node/chain/depositForChequebook.ts'
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

describe('Chequebook: depositFor', () => {
  it("funds another account's book; only that account can withdraw it", async () => {
    const p = await freshPayer(0n)
    const before = await balance(relayer.account.address)
    const { receipt } = await depositForChequebook(relayer, {
      payer: p.account.address,
      value: 7_777n,
    })
    expect(await balance(relayer.account.address)).toBe(before - 7_777n - gasCost(receipt))
    expect((await getChequebookAccount(p, { payer: p.account.address })).balance).toBe(7_777n)
    const [deposited] = parseEventLogs({
      abi: chequebookAbi,
      logs: receipt.logs,
      eventName: 'Deposited',
    })
    expect(deposited?.args).toEqual({ payer: p.account.address, amount: 7_777n, balance: 7_777n })
    // The funder has no claim on it: its own book has no announcement.
    await expect(withdrawDeposit(relayer, {})).rejects.toMatchObject({
      name: 'NoWithdrawAnnouncedError',
    })
    await announceWithdraw(p, { amount: 7_777n })
    await chain.advance(DAY + 1)
    const mine = await balance(p.account.address)
    const w = await withdrawDeposit(p, {})
    expect(await balance(p.account.address)).toBe(mine + 7_777n - gasCost(w.receipt))
    await expect(
      depositForChequebook(relayer, { payer: p.account.address, value: 0n }),
    ).rejects.toMatchObject({ name: 'InvalidInputError' })
  })
})

/** What `cash` pays for a cheque given what was paid and the book: the contract's rule in JS. */
function expectedSplit(cumulative: bigint, paid: bigint, book: bigint) {
  let amount = cumulative > paid ? cumulative - paid : 0n
  if (amount > book) amount = book
  const royalty = (amount * 1_000n) / 10_000n
  return { amount, royalty, share: amount - royalty }
}

describe('Chequebook: cashBatch', () => {
  it('splits every entry exact to the wei, skips what pays nothing, survives a forgery', async () => {
    const creator2 = chain.ctx[5]!
    const cardA = await newCard()
    const cardB = (await postCard(creator2, { card: makeCard('other creator') })).cardId
    const [p1, p2, p3, p4] = [
      await freshPayer(10n ** 18n),
      await freshPayer(1_000n),
      await freshPayer(0n),
      await freshPayer(10n ** 18n),
    ] as [ChainContext, ChainContext, ChainContext, ChainContext]
    const line = (p: ChainContext, to: ChainContext, cardId: Hex, cumulative: bigint): Cheque => ({
      payer: p.account.address,
      payee: to.account.address,
      cardId,
      cumulative,
    })
    // One line was cashed before, so the batch pays only the difference on it.
    const pre = line(p1, payee, cardA, 100n)
    await cashCheque(relayer, { cheque: pre, signature: await cheque(p1, pre) })
    const forgedCheque = line(p4, stranger, cardB, 50_000n)
    const entries = [
      line(p1, payee, cardA, 1_000_000_007n), // 999,999,907 new
      pre, // replayed: nothing to cash
      forgedCheque, // signed by the stranger, claims p4
      line(p2, stranger, cardB, 5_000n), // capped at p2's 1,000 wei book
      line(p3, payee, cardA, 10n), // p3's book is empty
      line(p1, payee, keccak256('0xbeef'), 10n), // card never posted
      line(p4, payee, cardB, 12_345n),
      line(p1, stranger, cardA, 999n),
      line(p4, payee, cardA, 7n), // royalty rounds to 0
    ]
    const signers = [p1, p1, stranger, p2, p3, p1, p4, p1, p4]
    const signed = await Promise.all(
      entries.map(async (c, i) => ({
        cheque: c,
        signature:
          c === forgedCheque
            ? await stranger.walletClient.signTypedData({
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
            : await cheque(signers[i]!, c),
      })),
    )
    const watched = [payee, stranger].map((c) => c.account.address)
    const before = await Promise.all(watched.map(balance))
    const owedOf = (c: ChainContext) =>
      getOwed(c, { account: c.account.address, from: 'chequebook' })
    const owedBefore = [await owedOf(creator), await owedOf(creator2)]

    const res = await cashChequeBatch(relayer, { entries: signed })

    expect(res.skipped).toEqual([
      { index: 1, reason: 'NothingToCash' },
      { index: 2, reason: 'InvalidSignature' },
      { index: 4, reason: 'EmptyChequebook' },
      { index: 5, reason: 'UnknownCard' },
    ])
    const want = [
      { index: 0, ...expectedSplit(1_000_000_007n, 100n, 10n ** 18n - 100n) },
      { index: 3, ...expectedSplit(5_000n, 0n, 1_000n) },
      { index: 6, ...expectedSplit(12_345n, 0n, 10n ** 18n) },
      { index: 7, ...expectedSplit(999n, 0n, 10n ** 18n - 1_000_000_007n) },
      { index: 8, ...expectedSplit(7n, 0n, 10n ** 18n - 12_345n) },
    ]
    expect(res.cashed).toEqual(
      want.map(({ index, amount, royalty }) => ({ index, amount, royalty })),
    )
    expect(want.map((w) => [w.amount, w.royalty])).toEqual([
      [999_999_907n, 99_999_990n],
      [1_000n, 100n],
      [12_345n, 1_234n],
      [999n, 99n],
      [7n, 0n],
    ])
    expect(res.total).toBe(999_999_907n + 1_000n + 12_345n + 999n + 7n)
    // Payees receive exactly their shares (the relayer paid the gas).
    const share = (i: number) => want.find((w) => w.index === i)!.share
    expect(await balance(payee.account.address)).toBe(before[0]! + share(0) + share(6) + share(8))
    expect(await balance(stranger.account.address)).toBe(before[1]! + share(3) + share(7))
    // Creators are credited exactly their royalties: A for cardA entries, creator2 for cardB.
    expect(await owedOf(creator)).toBe(owedBefore[0]! + 99_999_990n + 99n + 0n)
    expect(await owedOf(creator2)).toBe(owedBefore[1]! + 100n + 1_234n)
    // Books and lines moved by exactly what was taken.
    const book = async (p: ChainContext) =>
      (await getChequebookAccount(p, { payer: p.account.address })).balance
    expect(await book(p1)).toBe(10n ** 18n - 100n - 999_999_907n - 999n)
    expect(await book(p2)).toBe(0n)
    expect(await book(p4)).toBe(10n ** 18n - 12_345n - 7n)
    const paid = (c: Cheque) => getPaid(p1, { payer: c.payer, payee: c.payee, cardId: c.cardId })
    expect(await paid(entries[0]!)).toBe(1_000_000_007n)
    expect(await paid(entries[3]!)).toBe(1_000n)
    expect(await paid(forgedCheque)).toBe(0n)
    // The capped line stays cashable after a top-up, by `cash` or another batch.
    await depositForChequebook(relayer, { payer: p2.account.address, value: 10_000n })
    const again = await cashChequeBatch(relayer, { entries: [signed[3]!] })
    expect(again.cashed).toEqual([{ index: 0, amount: 4_000n, royalty: 400n }])
  })

  it('credits a payee that refuses ether and still pays the others; refuses mismatched arrays', async () => {
    const evil = await deployTestContract(stranger, 'Reentrant')
    await writeAndWait(
      stranger,
      { address: evil.address, abi: evil.abi, functionName: 'setRefuse', args: [true] },
      undefined,
    )
    const p = await freshPayer(10n ** 15n)
    const cardId = await newCard()
    const toEvil: Cheque = {
      payer: p.account.address,
      payee: evil.address,
      cardId,
      cumulative: 10_000n,
    }
    const toPayee: Cheque = { ...toEvil, payee: payee.account.address, cumulative: 20_000n }
    const before = await balance(payee.account.address)
    const res = await cashChequeBatch(relayer, {
      entries: [
        { cheque: toEvil, signature: await cheque(p, toEvil) },
        { cheque: toPayee, signature: await cheque(p, toPayee) },
      ],
    })
    expect(res.skipped).toEqual([])
    expect(await getOwed(p, { account: evil.address, from: 'chequebook' })).toBe(9_000n)
    expect(await balance(payee.account.address)).toBe(before + 18_000n)
    await expect(
      writeAndWait(
        relayer,
        {
          address: chain.deployed.chequebook,
          abi: chequebookAbi,
          functionName: 'cashBatch',
          args: [[toEvil, toPayee], ['0x']],
        },
        undefined,
      ),
    ).rejects.toMatchObject({ name: 'ContractRevertError', details: 'LengthMismatch(2, 1)' })
    await expect(cashChequeBatch(relayer, { entries: [] })).rejects.toMatchObject({
      name: 'InvalidInputError',
    })
  })

  it('gas: cash ≤ 60,000 and cashBatch of 20 ≤ 25,000 per cheque (renewed lines)', async () => {
    const cards = [await newCard(), await newCard()]
    const payers: ChainContext[] = []
    for (let i = 0; i < 20; i++) {
      const p = await freshPayer(0n)
      await depositForChequebook(relayer, { payer: p.account.address, value: 10n ** 18n })
      payers.push(p)
    }
    // The seeder's batch: one payee, sorted by card (so by creator), as a cash-out would send.
    const batch = async (round: bigint) =>
      Promise.all(
        payers.map(async (p, i) => {
          const c: Cheque = {
            payer: p.account.address,
            payee: payee.account.address,
            cardId: cards[i < 10 ? 0 : 1]!,
            cumulative: round * 10n ** 12n + BigInt(i),
          }
          return { cheque: c, signature: await cheque(p, c) }
        }),
      )
    const first = await cashChequeBatch(payee, { entries: await batch(1n) })
    const entries = await batch(2n)
    const payeeBefore = await balance(payee.account.address)
    const owedBefore = await getOwed(creator, {
      account: creator.account.address,
      from: 'chequebook',
    })
    const next = await cashChequeBatch(payee, { entries })
    // Each renewed line pays exactly 10^12 wei: 9 × 10^11 to the payee, 10^11 royalty.
    expect(next.cashed.map((c) => [c.amount, c.royalty])).toEqual(
      entries.map(() => [10n ** 12n, 10n ** 11n]),
    )
    expect(await balance(payee.account.address)).toBe(
      payeeBefore + 20n * 9n * 10n ** 11n - gasCost(next.receipt),
    )
    expect(await getOwed(creator, { account: creator.account.address, from: 'chequebook' })).toBe(
      owedBefore + 20n * 10n ** 11n,
    )
    // One more cheque on a renewed line, by `cash`.
    const one = { ...entries[0]!.cheque, cumulative: 3n * 10n ** 12n }
    const single = await cashCheque(payee, {
      cheque: one,
      signature: await cheque(payers[0]!, one),
    })
    const perFirst = first.receipt.gasUsed / 20n
    const perNext = next.receipt.gasUsed / 20n
    console.log(
      `gas: cash (renewed line) ${single.receipt.gasUsed}; cashBatch of 20: new lines ${first.receipt.gasUsed} (${perFirst}/cheque), renewed lines ${next.receipt.gasUsed} (${perNext}/cheque)`,
    )
    expect(single.receipt.gasUsed).toBeLessThanOrEqual(60_000n)
    expect(perNext).toBeLessThanOrEqual(25_000n)
  })
})
