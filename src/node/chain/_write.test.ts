import { type Hex, keccak256 } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeCard, setupChain, type TestChain, wrapKey } from '../../../contracts/test/setup.ts'
import type { SpendQuote } from '../../shared/protocol/methods/spend.ts'
import { abortable } from './_write.ts'
import { buyKey } from './buyKey.ts'
import { type ChainContext, createChainClients } from './clients.ts'
import { listCard } from './listCard.ts'
import { postCard } from './postCard.ts'
import { getCreatorOf } from './reads.ts'

let chain: TestChain
beforeAll(async () => {
  chain = await setupChain(3)
})
afterAll(async () => {
  await chain?.stop()
})

describe('write operations', () => {
  it('do not send anything when the signal is already aborted', async () => {
    const ctx = chain.ctx[0]!
    const nonce = await ctx.publicClient.getTransactionCount({ address: ctx.account.address })
    const ac = new AbortController()
    ac.abort()
    await expect(postCard(ctx, { card: makeCard(), signal: ac.signal })).rejects.toMatchObject({
      name: 'AbortedError',
    })
    expect(await ctx.publicClient.getTransactionCount({ address: ctx.account.address })).toBe(nonce)
  })

  it('accept bytes and return the mined receipt', async () => {
    const ctx = chain.ctx[0]!
    const bytes = new TextEncoder().encode('{"v":1,"kind":"post","text":"bytes"}')
    const res = await postCard(ctx, { card: bytes })
    expect(res.receipt.status).toBe('success')
    expect(res.cardId).toBe(keccak256(bytes))
    expect(await getCreatorOf(ctx, { cardId: res.cardId })).toBe(ctx.account.address)
  })

  it('abortable() rejects with AbortedError and leaves the promise alone otherwise', async () => {
    const ac = new AbortController()
    const never = new Promise<number>(() => {})
    const p = abortable(never, ac.signal)
    ac.abort()
    await expect(p).rejects.toMatchObject({ name: 'AbortedError' })
    await expect(abortable(Promise.resolve(3), new AbortController().signal)).resolves.toBe(3)
  })
})

/** A context for a fresh account that holds nothing. */
function unfunded(): ChainContext {
  const base = chain.ctx[0]!
  return {
    ...createChainClients({
      rpcUrl: chain.anvil.rpcUrl,
      chainId: chain.anvil.chainId,
      account: privateKeyToAccount(generatePrivateKey()),
      pollingInterval: 20,
    }),
    contracts: base.contracts,
  }
}

const nonceOf = (ctx: ChainContext) =>
  ctx.publicClient.getTransactionCount({ address: ctx.account.address })

describe('confirming a spend', () => {
  it('asks with the price, the fee estimate and the balance, and sends nothing when declined', async () => {
    const ctx = chain.ctx[1]!
    const nonce = await nonceOf(ctx)
    const quotes: SpendQuote[] = []
    const card = makeCard('declined')
    await expect(
      postCard(ctx, {
        card,
        confirm: async (q) => {
          quotes.push(q)
          return false
        },
      }),
    ).rejects.toMatchObject({ name: 'UserRejectedError' })
    expect(await nonceOf(ctx)).toBe(nonce)
    expect(await getCreatorOf(ctx, { cardId: keccak256(card) }).catch(() => null)).not.toBe(
      ctx.account.address,
    )
    const [q] = quotes
    expect(q).toMatchObject({ contract: 'cardRegistry', action: 'post', value: '0' })
    expect(q!.from).toBe(ctx.account.address)
    expect(BigInt(q!.gas)).toBeGreaterThan(21_000n)
    expect(BigInt(q!.fee)).toBe(BigInt(q!.gas) * BigInt(q!.gasPrice))
    expect(BigInt(q!.balance)).toBe(
      await ctx.publicClient.getBalance({ address: ctx.account.address }),
    )
  })

  it('sends once confirmed, telling onSent the hash before the receipt', async () => {
    const ctx = chain.ctx[1]!
    const events: string[] = []
    let sent: Hex | null = null
    const res = await postCard(ctx, {
      card: makeCard('confirmed'),
      confirm: async () => {
        events.push('confirm')
        return true
      },
      onSent: (hash) => {
        events.push('sent')
        sent = hash
      },
    })
    expect(events).toEqual(['confirm', 'sent'])
    expect(sent).toBe(res.hash)
    expect(res.receipt.status).toBe('success')
    // The estimate covered what the transaction used.
    expect(res.receipt.gasUsed).toBeGreaterThan(0n)
  })

  it('quotes the value a purchase pays', async () => {
    const [creator, buyer] = [chain.ctx[0]!, chain.ctx[2]!]
    const { cardId } = await postCard(creator, { card: makeCard('priced') })
    const price = 3_000_000_000_000_001n
    await listCard(creator, {
      cardId,
      price,
      supply: 0,
      royaltyBps: 0,
      transferFee: 0n,
      keyAgent: creator.account.address,
    })
    let quote: SpendQuote | null = null
    await buyKey(buyer, {
      cardId,
      wrapPub: wrapKey(7),
      confirm: async (q) => {
        quote = q
        return true
      },
    })
    expect(quote).toMatchObject({ contract: 'keyMarket', action: 'buy', value: price.toString() })
  })

  it('an account without funds gets InsufficientFundsError, asked or not, and sends nothing', async () => {
    const poor = unfunded()
    let asked = false
    await expect(
      postCard(poor, {
        card: makeCard('poor'),
        confirm: async () => {
          asked = true
          return true
        },
      }),
    ).rejects.toMatchObject({ name: 'InsufficientFundsError' })
    expect(asked).toBe(false)
    // Unasked, viem's own error is mapped to the same class.
    await expect(postCard(poor, { card: makeCard('poor') })).rejects.toMatchObject({
      name: 'InsufficientFundsError',
    })
    expect(await nonceOf(poor)).toBe(0)
  })
})
