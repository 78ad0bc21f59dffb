import { type Address, encodeFunctionData, type Hex, parseEventLogs, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeAndWait } from '../../src/node/chain/_write.ts'
import { cardRegistryAbi, keyMarketAbi } from '../../src/node/chain/abi.ts'
import { buyKey } from '../../src/node/chain/buyKey.ts'
import { buyOfferedKey } from '../../src/node/chain/buyOfferedKey.ts'
import { claimOwed } from '../../src/node/chain/claimOwed.ts'
import type { ChainContext } from '../../src/node/chain/clients.ts'
import { deliverKey } from '../../src/node/chain/deliverKey.ts'
import { listCard } from '../../src/node/chain/listCard.ts'
import { offerKey } from '../../src/node/chain/offerKey.ts'
import { postCard } from '../../src/node/chain/postCard.ts'
import { prepayTransferFee } from '../../src/node/chain/prepayTransferFee.ts'
import {
  getKeyOwner,
  getListing,
  getOffer,
  getOwed,
  getTokenState,
} from '../../src/node/chain/reads.ts'
import { refundKey } from '../../src/node/chain/refundKey.ts'
import { requestKey } from '../../src/node/chain/requestKey.ts'
import { transferKey } from '../../src/node/chain/transferKey.ts'
import {
  deployTestContract,
  gasCost,
  makeCard,
  setupChain,
  type TestChain,
  wrapKey,
} from './setup.ts'

let chain: TestChain
let creator: ChainContext
let agent: ChainContext
let buyer: ChainContext
let other: ChainContext
let third: ChainContext
const DAY = 24 * 60 * 60
const price = 1_000_000_000_000_007n

beforeAll(async () => {
  chain = await setupChain(6)
  ;[creator, agent, buyer, other, third] = chain.ctx as [
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

/** Posts and lists a fresh card; returns its id. */
async function listed(opts: { supply?: number; transferFee?: bigint; royaltyBps?: number } = {}) {
  const { cardId } = await postCard(creator, { card: makeCard('paid') })
  await listCard(creator, {
    cardId,
    price,
    supply: opts.supply ?? 0,
    royaltyBps: opts.royaltyBps ?? 500,
    transferFee: opts.transferFee ?? 0n,
    keyAgent: agent.account.address,
  })
  return cardId
}

const balance = (address: Address) => chain.ctx[0]!.publicClient.getBalance({ address })

describe('KeyMarket: listing', () => {
  it('lets the creator list once, with the terms stored', async () => {
    const cardId = await listed({ supply: 3, transferFee: 5n, royaltyBps: 250 })
    const l = await getListing(creator, { cardId })
    expect(l).toMatchObject({
      price,
      supply: 3,
      minted: 0,
      royaltyBps: 250,
      creator: creator.account.address,
      transferFee: 5n,
      keyAgent: agent.account.address,
      cardId,
    })
    await expect(
      listCard(creator, {
        cardId,
        price: 1n,
        supply: 0,
        royaltyBps: 0,
        transferFee: 0n,
        keyAgent: agent.account.address,
      }),
    ).rejects.toMatchObject({ name: 'AlreadyListedError' })
  })

  it('refuses a non-creator, an unknown card, a royalty above 100 % and a zero agent', async () => {
    const { cardId } = await postCard(creator, { card: makeCard('guarded') })
    const terms = {
      price: 1n,
      supply: 0,
      royaltyBps: 0,
      transferFee: 0n,
      keyAgent: agent.account.address,
    }
    await expect(listCard(other, { cardId, ...terms })).rejects.toMatchObject({
      name: 'NotCreatorError',
    })
    await expect(
      listCard(creator, { cardId: `0x${'ab'.repeat(32)}`, ...terms }),
    ).rejects.toMatchObject({ name: 'NotCreatorError' })
    await expect(listCard(creator, { cardId, ...terms, royaltyBps: 10_001 })).rejects.toMatchObject(
      {
        name: 'InvalidChainArgumentError',
      },
    )
    await expect(
      listCard(creator, {
        cardId,
        ...terms,
        keyAgent: '0x0000000000000000000000000000000000000000',
      }),
    ).rejects.toMatchObject({ name: 'InvalidChainArgumentError' })
  })
})

describe('KeyMarket: buy, deliver, claim', () => {
  it('mints on exact payment, escrows, and emits KeyRequested to the agent', async () => {
    const cardId = await listed()
    const before = await balance(chain.deployed.keyMarket)
    const { tokenId, receipt } = await buyKey(buyer, { cardId, wrapPub: wrapKey(1) })
    const listingId = tokenId >> 64n
    expect(tokenId & ((1n << 64n) - 1n)).toBe(1n)
    expect(listingId).toBeGreaterThan(0n)
    expect(await getKeyOwner(buyer, { tokenId })).toBe(buyer.account.address)
    expect(await balance(chain.deployed.keyMarket)).toBe(before + price)
    const state = await getTokenState(buyer, { tokenId })
    expect(state).toMatchObject({ escrow: price, pending: true, prepaidFees: 0 })
    const [req] = parseEventLogs({
      abi: keyMarketAbi,
      logs: receipt.logs,
      eventName: 'KeyRequested',
    })
    expect(req!.args).toEqual({
      tokenId,
      cardId,
      keyAgent: agent.account.address,
      owner: buyer.account.address,
      wrapPub: wrapKey(1),
    })
    const second = await buyKey(other, { cardId, wrapPub: wrapKey(2) })
    expect(second.tokenId).toBe(tokenId + 1n)
  })

  it('refuses a wrong payment (less, more, none) and an unlisted card', async () => {
    const cardId = await listed()
    for (const value of [price - 1n, price + 1n, 0n]) {
      await expect(buyKey(buyer, { cardId, wrapPub: wrapKey(1), value })).rejects.toMatchObject({
        name: 'WrongPaymentError',
        details: `WrongPayment(${price}, ${value})`,
      })
    }
    const { cardId: unlisted } = await postCard(creator, { card: makeCard('unlisted') })
    await expect(
      buyKey(buyer, { cardId: unlisted, wrapPub: wrapKey(1), value: 0n }),
    ).rejects.toMatchObject({
      name: 'NotListedError',
    })
  })

  it('respects the supply (a refund frees a unit)', async () => {
    const cardId = await listed({ supply: 2 })
    const { tokenId } = await buyKey(buyer, { cardId, wrapPub: wrapKey(1) })
    await buyKey(other, { cardId, wrapPub: wrapKey(2) })
    await expect(buyKey(third, { cardId, wrapPub: wrapKey(3) })).rejects.toMatchObject({
      name: 'SoldOutError',
    })
    await chain.advance(DAY)
    await refundKey(buyer, { tokenId })
    const again = await buyKey(third, { cardId, wrapPub: wrapKey(3) })
    expect(again.tokenId & 0xffn).toBe(3n)
  })

  it('delivers once per request, by the agent only, and releases the escrow to the creator', async () => {
    const cardId = await listed()
    const { tokenId } = await buyKey(buyer, { cardId, wrapPub: wrapKey(1) })
    const wrappedKey = toHex(new Uint8Array(100).fill(7))
    await expect(deliverKey(other, { tokenId, wrappedKey })).rejects.toMatchObject({
      name: 'NotKeyAgentError',
    })
    await expect(deliverKey(creator, { tokenId, wrappedKey })).rejects.toMatchObject({
      name: 'NotKeyAgentError',
    })
    const owedBefore = await getOwed(creator, {
      account: creator.account.address,
      from: 'keyMarket',
    })
    const { receipt } = await deliverKey(agent, { tokenId, wrappedKey })
    const [ev] = parseEventLogs({
      abi: keyMarketAbi,
      logs: receipt.logs,
      eventName: 'KeyDelivered',
    })
    expect(ev!.args).toEqual({ tokenId, wrappedKey })
    expect(await getOwed(creator, { account: creator.account.address, from: 'keyMarket' })).toBe(
      owedBefore + price,
    )
    expect(await getTokenState(buyer, { tokenId })).toMatchObject({ escrow: 0n, pending: false })
    await expect(deliverKey(agent, { tokenId, wrappedKey })).rejects.toMatchObject({
      name: 'NoPendingRequestError',
    })
    // A token that does not exist has no request either.
    await expect(deliverKey(agent, { tokenId: tokenId + 100n, wrappedKey })).rejects.toMatchObject({
      name: 'NoPendingRequestError',
    })
    // The creator claims everything owed, exact to the wei.
    const owed = await getOwed(creator, { account: creator.account.address, from: 'keyMarket' })
    const before = await balance(creator.account.address)
    const claim = await claimOwed(creator, { from: 'keyMarket' })
    expect(await balance(creator.account.address)).toBe(before + owed - gasCost(claim.receipt))
    await expect(claimOwed(creator, { from: 'keyMarket' })).rejects.toMatchObject({
      name: 'NothingToClaimError',
    })
  })
})

describe('KeyMarket: refund', () => {
  it('refuses before the timeout, by a non-owner, and after delivery; refunds and burns after', async () => {
    const cardId = await listed()
    const { tokenId } = await buyKey(buyer, { cardId, wrapPub: wrapKey(1) })
    const delivered = await buyKey(buyer, { cardId, wrapPub: wrapKey(1) })
    await deliverKey(agent, { tokenId: delivered.tokenId, wrappedKey: '0x01' })
    await expect(refundKey(buyer, { tokenId })).rejects.toMatchObject({
      name: 'RefundTooEarlyError',
    })
    await chain.advance(DAY - 30)
    await expect(refundKey(buyer, { tokenId })).rejects.toMatchObject({
      name: 'RefundTooEarlyError',
    })
    await chain.advance(60)
    await expect(refundKey(other, { tokenId })).rejects.toMatchObject({
      name: 'NotTokenOwnerError',
    })
    await expect(refundKey(buyer, { tokenId: delivered.tokenId })).rejects.toMatchObject({
      name: 'NothingToRefundError',
    })
    const before = await balance(buyer.account.address)
    const { receipt } = await refundKey(buyer, { tokenId })
    expect(await balance(buyer.account.address)).toBe(before + price - gasCost(receipt))
    await expect(getKeyOwner(buyer, { tokenId })).rejects.toMatchObject({
      name: 'ContractRevertError',
    })
    await expect(refundKey(buyer, { tokenId })).rejects.toMatchObject({
      name: 'NotTokenOwnerError',
    })
  })
})

describe('KeyMarket: transfers', () => {
  it('requestKey: owner only; after a transfer the new owner is served again for free', async () => {
    const fee = 12_345n
    const cardId = await listed({ transferFee: fee })
    const { tokenId } = await buyKey(buyer, { cardId, wrapPub: wrapKey(1) })
    await deliverKey(agent, { tokenId, wrappedKey: '0xaa' })
    await expect(requestKey(other, { tokenId, wrapPub: wrapKey(2) })).rejects.toMatchObject({
      name: 'NotTokenOwnerError',
    })
    const owedBefore = await getOwed(creator, {
      account: creator.account.address,
      from: 'keyMarket',
    })
    await transferKey(buyer, { tokenId, to: other.account.address })
    expect(await getKeyOwner(buyer, { tokenId })).toBe(other.account.address)
    expect(await getOwed(creator, { account: creator.account.address, from: 'keyMarket' })).toBe(
      owedBefore + fee,
    )
    const { receipt } = await requestKey(other, { tokenId, wrapPub: wrapKey(2) })
    const [req] = parseEventLogs({
      abi: keyMarketAbi,
      logs: receipt.logs,
      eventName: 'KeyRequested',
    })
    expect(req!.args).toMatchObject({
      tokenId,
      cardId,
      owner: other.account.address,
      wrapPub: wrapKey(2),
    })
    await deliverKey(agent, { tokenId, wrappedKey: '0xbb' })
    // The escrow was released by the first delivery; re-delivery pays nothing more.
    expect(await getOwed(creator, { account: creator.account.address, from: 'keyMarket' })).toBe(
      owedBefore + fee,
    )
  })

  it('plain transferFrom reverts unless the fee was prepaid; a transfer closes open requests', async () => {
    const fee = 777n
    const cardId = await listed({ transferFee: fee })
    const { tokenId } = await buyKey(buyer, { cardId, wrapPub: wrapKey(1) })
    const plain = (from: ChainContext, to: Address) =>
      writeAndWait(
        from,
        {
          address: chain.deployed.keyMarket,
          abi: keyMarketAbi,
          functionName: 'safeTransferFrom',
          args: [from.account.address, to, tokenId],
        },
        undefined,
      )
    await expect(plain(buyer, other.account.address)).rejects.toMatchObject({
      name: 'TransferFeeNotPaidError',
      details: `TransferFeeNotPaid(${tokenId}, ${fee})`,
    })
    await expect(
      writeAndWait(
        buyer,
        {
          address: chain.deployed.keyMarket,
          abi: keyMarketAbi,
          functionName: 'prepayTransferFee',
          args: [tokenId],
          value: fee - 1n,
        },
        undefined,
      ),
    ).rejects.toMatchObject({ name: 'WrongPaymentError' })
    const owedBefore = await getOwed(creator, {
      account: creator.account.address,
      from: 'keyMarket',
    })
    await prepayTransferFee(third, { tokenId })
    expect(await getOwed(creator, { account: creator.account.address, from: 'keyMarket' })).toBe(
      owedBefore + fee,
    )
    await plain(buyer, other.account.address)
    expect(await getKeyOwner(buyer, { tokenId })).toBe(other.account.address)
    // The undelivered request of the old owner closed with the transfer; the escrow stays.
    expect(await getTokenState(buyer, { tokenId })).toMatchObject({
      pending: false,
      escrow: price,
      prepaidFees: 0,
    })
    await expect(deliverKey(agent, { tokenId, wrappedKey: '0x01' })).rejects.toMatchObject({
      name: 'NoPendingRequestError',
    })
    // The prepaid fee was used up: the next plain transfer reverts again.
    await expect(plain(other, third.account.address)).rejects.toMatchObject({
      name: 'TransferFeeNotPaidError',
    })
    await expect(
      writeAndWait(
        other,
        {
          address: chain.deployed.keyMarket,
          abi: keyMarketAbi,
          functionName: 'transferWithFee',
          args: [other.account.address, third.account.address, tokenId],
          value: 0n,
        },
        undefined,
      ),
    ).rejects.toMatchObject({ name: 'WrongPaymentError' })
    // The new owner's request is delivered and releases the escrow to the creator.
    await requestKey(other, { tokenId, wrapPub: wrapKey(4) })
    await deliverKey(agent, { tokenId, wrappedKey: '0x02' })
    expect(await getOwed(creator, { account: creator.account.address, from: 'keyMarket' })).toBe(
      owedBefore + fee + price,
    )
  })

  it('transferWithFee by an approved operator needs the approval', async () => {
    const cardId = await listed({ transferFee: 1n })
    const { tokenId } = await buyKey(buyer, { cardId, wrapPub: wrapKey(1) })
    await expect(
      transferKey(other, { tokenId, from: buyer.account.address, to: other.account.address }),
    ).rejects.toMatchObject({
      name: 'ContractRevertError',
      details: expect.stringContaining('ERC721InsufficientApproval'),
    })
  })
})

describe('KeyMarket: fixed-price resale and royalties', () => {
  it('pays seller and creator exact to the wei, takes the fee, and opens a request', async () => {
    const fee = 1_001n
    const royaltyBps = 333
    const cardId = await listed({ transferFee: fee, royaltyBps })
    const { tokenId } = await buyKey(buyer, { cardId, wrapPub: wrapKey(1) })
    await deliverKey(agent, { tokenId, wrappedKey: '0x01' })
    const resale = 10_000_000_000_000_019n
    await expect(offerKey(other, { tokenId, price: resale })).rejects.toMatchObject({
      name: 'NotTokenOwnerError',
    })
    await offerKey(buyer, { tokenId, price: resale })
    expect(await getOffer(other, { tokenId })).toEqual({
      price: resale,
      seller: buyer.account.address,
    })
    const creatorOwed = await getOwed(creator, {
      account: creator.account.address,
      from: 'keyMarket',
    })
    const sellerOwed = await getOwed(creator, { account: buyer.account.address, from: 'keyMarket' })
    await expect(
      writeAndWait(
        other,
        {
          address: chain.deployed.keyMarket,
          abi: keyMarketAbi,
          functionName: 'buyOffered',
          args: [tokenId, wrapKey(2)],
          value: resale,
        },
        undefined,
      ),
    ).rejects.toMatchObject({ name: 'WrongPaymentError' })
    const { receipt } = await buyOfferedKey(other, { tokenId, wrapPub: wrapKey(2) })
    const royalty = (resale * BigInt(royaltyBps)) / 10_000n
    expect(await getOwed(creator, { account: creator.account.address, from: 'keyMarket' })).toBe(
      creatorOwed + royalty + fee,
    )
    expect(await getOwed(creator, { account: buyer.account.address, from: 'keyMarket' })).toBe(
      sellerOwed + resale - royalty,
    )
    expect(await getKeyOwner(other, { tokenId })).toBe(other.account.address)
    const [req] = parseEventLogs({
      abi: keyMarketAbi,
      logs: receipt.logs,
      eventName: 'KeyRequested',
    })
    expect(req!.args).toMatchObject({ tokenId, owner: other.account.address, wrapPub: wrapKey(2) })
    expect(await getTokenState(other, { tokenId })).toMatchObject({ pending: true })
    // The offer is gone.
    await expect(buyOfferedKey(third, { tokenId, wrapPub: wrapKey(3) })).rejects.toMatchObject({
      name: 'NoOfferError',
    })
    // ERC-2981.
    const [receiver, amount] = await creator.publicClient.readContract({
      address: chain.deployed.keyMarket,
      abi: keyMarketAbi,
      functionName: 'royaltyInfo',
      args: [tokenId, 1_000_000n],
    })
    expect(receiver).toBe(creator.account.address)
    expect(amount).toBe(33_300n)
    expect(
      await creator.publicClient.readContract({
        address: chain.deployed.keyMarket,
        abi: keyMarketAbi,
        functionName: 'supportsInterface',
        args: ['0x2a55205a'],
      }),
    ).toBe(true)
  })

  it('an offer dies when the token moves, and can be cancelled', async () => {
    const cardId = await listed()
    const { tokenId } = await buyKey(buyer, { cardId, wrapPub: wrapKey(1) })
    await offerKey(buyer, { tokenId, price: 5n })
    await transferKey(buyer, { tokenId, to: other.account.address })
    expect((await getOffer(other, { tokenId })).price).toBe(0n)
    await expect(buyOfferedKey(third, { tokenId, wrapPub: wrapKey(3) })).rejects.toMatchObject({
      name: 'NoOfferError',
    })
    // Even when the token comes back to the seller, the old offer stays dead.
    await transferKey(other, { tokenId, to: buyer.account.address })
    expect((await getOffer(other, { tokenId })).price).toBe(0n)
    await expect(buyOfferedKey(third, { tokenId, wrapPub: wrapKey(3) })).rejects.toMatchObject({
      name: 'NoOfferError',
    })
    await offerKey(buyer, { tokenId, price: 9n })
    expect((await getOffer(other, { tokenId })).price).toBe(9n)
    await offerKey(buyer, { tokenId, price: 0n })
    await expect(buyOfferedKey(third, { tokenId, wrapPub: wrapKey(3) })).rejects.toMatchObject({
      name: 'NoOfferError',
    })
  })
})

describe('KeyMarket: reentrancy', () => {
  it('a creator contract cannot claim twice by re-entering from its receive()', async () => {
    const evil = await deployTestContract(third, 'Reentrant')
    const exec = (data: Hex, value = 0n) =>
      writeAndWait(
        third,
        { address: evil.address, abi: evil.abi, functionName: 'exec', args: [to, data], value },
        undefined,
      )
    let to: Address = chain.deployed.cardRegistry
    const card = makeCard('evil')
    await exec(encodeFunctionData({ abi: cardRegistryAbi, functionName: 'post', args: [card] }))
    const { keccak256 } = await import('viem')
    const cardId = keccak256(card)
    to = chain.deployed.keyMarket
    await exec(
      encodeFunctionData({
        abi: keyMarketAbi,
        functionName: 'list',
        args: [cardId, price, 0, 0, 0n, agent.account.address],
      }),
    )
    for (const b of [buyer, other]) {
      const { tokenId } = await buyKey(b, { cardId, wrapPub: wrapKey(1) })
      await deliverKey(agent, { tokenId, wrappedKey: '0x01' })
    }
    const claimData = encodeFunctionData({ abi: keyMarketAbi, functionName: 'claim' })
    await writeAndWait(
      third,
      { address: evil.address, abi: evil.abi, functionName: 'setReentry', args: [to, claimData] },
      undefined,
    )
    const marketBefore = await balance(chain.deployed.keyMarket)
    await exec(claimData)
    const read = (functionName: string) =>
      third.publicClient.readContract({
        address: evil.address,
        abi: evil.abi,
        functionName,
        args: [],
      })
    expect(await read('attempted')).toBe(true)
    expect(await read('reentered')).toBe(false)
    expect(await balance(evil.address)).toBe(2n * price)
    expect(await balance(chain.deployed.keyMarket)).toBe(marketBefore - 2n * price)
  })

  it('a buyer contract cannot refund twice by re-entering', async () => {
    const evil = await deployTestContract(third, 'Reentrant')
    const cardId = await listed()
    const buyData = encodeFunctionData({
      abi: keyMarketAbi,
      functionName: 'buy',
      args: [cardId, wrapKey(9)],
    })
    const call = (data: Hex, value = 0n) =>
      writeAndWait(
        third,
        {
          address: evil.address,
          abi: evil.abi,
          functionName: 'exec',
          args: [chain.deployed.keyMarket, data],
          value,
        },
        undefined,
      )
    const r = await call(buyData, price)
    const [req] = parseEventLogs({
      abi: keyMarketAbi,
      logs: r.receipt.logs,
      eventName: 'KeyRequested',
    })
    const tokenId = req!.args.tokenId
    const refundData = encodeFunctionData({
      abi: keyMarketAbi,
      functionName: 'refund',
      args: [tokenId],
    })
    await writeAndWait(
      third,
      {
        address: evil.address,
        abi: evil.abi,
        functionName: 'setReentry',
        args: [chain.deployed.keyMarket, refundData],
      },
      undefined,
    )
    await chain.advance(DAY + 1)
    await call(refundData)
    const read = (functionName: string) =>
      third.publicClient.readContract({
        address: evil.address,
        abi: evil.abi,
        functionName,
        args: [],
      })
    expect(await read('attempted')).toBe(true)
    expect(await read('reentered')).toBe(false)
    expect(await balance(evil.address)).toBe(price)
  })
})
