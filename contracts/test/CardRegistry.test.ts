import { decodeEventLog, type Hex, keccak256, zeroAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cardRegistryAbi } from '../../src/node/chain/abi.ts'
import { followCreator } from '../../src/node/chain/followCreator.ts'
import { postCard } from '../../src/node/chain/postCard.ts'
import { reactToCard } from '../../src/node/chain/reactToCard.ts'
import { getCreatorOf } from '../../src/node/chain/reads.ts'
import { makeCard, setupChain, type TestChain } from './setup.ts'

let chain: TestChain
beforeAll(async () => {
  chain = await setupChain(3)
})
afterAll(async () => {
  await chain?.stop()
})

function decode(log: { data: Hex; topics: [Hex, ...Hex[]] | [] }) {
  return decodeEventLog({ abi: cardRegistryAbi, data: log.data, topics: log.topics })
}

describe('CardRegistry', () => {
  it('posts a card: id = keccak256(bytes), creator stored, bytes in the event', async () => {
    const [alice] = chain.ctx
    const card = makeCard('post')
    const { cardId, receipt } = await postCard(alice!, { card })
    expect(cardId).toBe(keccak256(card))
    expect(await getCreatorOf(alice!, { cardId })).toBe(alice!.account.address)
    const event = decode(receipt.logs[0]!)
    expect(event.eventName).toBe('CardPosted')
    expect(event.args).toEqual({ cardId, creator: alice!.account.address, card })
  })

  it('refuses a duplicate, even from another account', async () => {
    const [alice, bob] = chain.ctx
    const card = makeCard('dup')
    await postCard(alice!, { card })
    await expect(postCard(bob!, { card })).rejects.toMatchObject({ name: 'DuplicateCardError' })
  })

  it('accepts exactly 4096 bytes and refuses 4097 and 0', async () => {
    const [alice] = chain.ctx
    const max = makeCard('max', 4096)
    expect((max.length - 2) / 2).toBe(4096)
    await postCard(alice!, { card: max })
    await expect(postCard(alice!, { card: makeCard('big', 4097) })).rejects.toMatchObject({
      name: 'CardSizeError',
      details: 'CardSize(4097)',
    })
    await expect(postCard(alice!, { card: '0x' })).rejects.toMatchObject({ name: 'CardSizeError' })
  })

  it('emits reactions for posted cards only', async () => {
    const [alice, bob] = chain.ctx
    const { cardId } = await postCard(alice!, { card: makeCard('react') })
    const { receipt } = await reactToCard(bob!, { cardId, kind: 7 })
    const event = decode(receipt.logs[0]!)
    expect(event).toMatchObject({
      eventName: 'Reacted',
      args: { cardId, from: bob!.account.address, kind: 7 },
    })
    await expect(reactToCard(bob!, { cardId: keccak256('0x1234'), kind: 1 })).rejects.toMatchObject(
      { name: 'UnknownCardError' },
    )
  })

  it('emits follow and unfollow, refuses the zero address', async () => {
    const [alice, bob] = chain.ctx
    const creator = alice!.account.address
    const f = await followCreator(bob!, { creator })
    expect(decode(f.receipt.logs[0]!)).toMatchObject({
      eventName: 'Followed',
      args: { follower: bob!.account.address, creator },
    })
    const u = await followCreator(bob!, { creator, follow: false })
    expect(decode(u.receipt.logs[0]!)).toMatchObject({
      eventName: 'Unfollowed',
      args: { follower: bob!.account.address, creator },
    })
    await expect(followCreator(bob!, { creator: zeroAddress })).rejects.toMatchObject({
      name: 'InvalidChainArgumentError',
    })
  })
})
