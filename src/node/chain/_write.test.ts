import { keccak256 } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeCard, setupChain, type TestChain } from '../../../contracts/test/setup.ts'
import { abortable } from './_write.ts'
import { postCard } from './postCard.ts'
import { getCreatorOf } from './reads.ts'

let chain: TestChain
beforeAll(async () => {
  chain = await setupChain(1)
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
