/**
 * Chequebook on anvil, beside Chequebook.test.ts: `depositFor` and `cashBatch` (exact splits,
 * skipped entries) and the gas of `cash` and `cashBatch` against the pay-per-slice targets.
 */
import { type Address, type Hex, keccak256, parseEventLogs } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeAndWait } from '../../src/node/chain/_write.ts'
import { chequebookAbi } from '../../src/node/chain/abi.ts'
import { cashCheque } from '../../src/node/chain/cashCheque.ts'
import { cashChequeBatch } from '../../src/node/chain/cashChequeBatch.ts'
import { type Cheque, signCheque } from '../../src/node/chain/cheque.ts'
import { type ChainContext, createChainClients } from '../../src/node/chain/clients.ts'
import { depositForChequebook } from '../../src/node/chain/depositForChequebook.ts'
import { postCard } from '../../src/node/chain/postCard.ts'
import { getChequebookAccount, getOwed, getPaid } from '../../src/node/chain/reads.ts'
import { announceWithdraw, withdrawDeposit } from '../../src/node/chain/withdrawDeposit.ts'
import { deployTestContract, gasCost, makeCard, setupChain, type TestChain } from './setup.ts'

let chain: TestChain
let creator: ChainContext
let payee: ChainContext
let relayer: ChainContext
let stranger: ChainContext
const DAY = 24 * 60 * 60

beforeAll(async () => {
  chain = await setupChain(6)
  ;[creator, , payee, relayer, stranger] = chain.ctx as [
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

/** A fresh payer account with ether, and `deposit` wei put in its book by the relayer. */
async function freshPayer(deposit: bigint): Promise<ChainContext> {
  const account = privateKeyToAccount(generatePrivateKey())
  const ctx = {
    ...createChainClients({
      rpcUrl: chain.anvil.rpcUrl,
      chainId: chain.anvil.chainId,
      account,
      pollingInterval: 20,
    }),
    contracts: relayer.contracts,
  }
  await chain.test.setBalance({ address: account.address, value: 10n ** 20n })
  if (deposit > 0n) await depositForChequebook(relayer, { payer: account.address, value: deposit })
  return ctx
}

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
