/**
 * KeysService on the real account and access services: without a chain it has no session and
 * says why; on anvil a session runs for the current account, starts again when the account
 * changes (stopping the old agent and owner), and a key request that waited for an unknown
 * card is served once access knows the card.
 */
import 'fake-indexeddb/auto'
import { bytesToHex } from '@noble/hashes/utils.js'
import { type Hex, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { makeCard, setupChain, type TestChain } from '../../../contracts/test/setup.ts'
import { chainConfigOf } from '../../../scripts/stack.ts'
import { waitFor } from '../../../scripts/test/waitFor.ts'
import type { ChainConfig } from '../../shared/config.ts'
import { KeysUnavailableError } from '../../shared/errors/access.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { accessService } from '../access/service.ts'
import { accountService } from '../account/service.ts'
import { buyKey } from '../chain/buyKey.ts'
import { type ChainContext, createChainClients } from '../chain/clients.ts'
import { listCard } from '../chain/listCard.ts'
import { postCard } from '../chain/postCard.ts'
import { creatorCipher, deriveContentKey } from '../crypto/content.ts'
import { deriveIdentity, type Identity } from '../crypto/identity.ts'
import { MemoryBackend } from '../store/memoryBackend.ts'
import { openMeta } from '../store/meta.ts'
import { publishFile } from '../store/publish.ts'
import { createSliceStore } from '../store/sliceStore.ts'
import type { SliceStore } from '../store/types.ts'
import { createKeysHandlers } from './handlers.ts'
import { keysService } from './service.ts'

let n = 0

/** The account, access and keys services over one switchable identity, as createNode wires them. */
async function stack(chain: ChainConfig | null, first: Identity | null, store?: SliceStore) {
  const who = { current: first }
  const identity = { identity: async () => who.current }
  const events: NodeEvent[] = []
  const emit = (e: NodeEvent) => events.push(e)
  const slices =
    store ??
    createSliceStore({ files: new MemoryBackend(), meta: await openMeta(`ks-store-${n++}`) })
  const account = accountService({ chain })({ identity, emit })
  const access = accessService({ dbName: `ks-access-${n++}` })({
    identity,
    store: async () => slices,
    account,
  })
  const keys = keysService()({ account, access, emit })
  await Promise.all([account.start(), access.start()])
  await keys.start()
  const stop = async () => {
    await keys.stop()
    await Promise.all([account.stop(), access.stop()])
  }
  return { who, events, account, access, keys, stop }
}

const newIdentity = () => deriveIdentity(crypto.getRandomValues(new Uint8Array(64)))

describe('KeysService without a chain', () => {
  it('has no session, and require() says keys are unavailable', async () => {
    const s = await stack(null, await newIdentity())
    expect(await s.keys.session()).toBeNull()
    await expect(s.keys.require()).rejects.toBeInstanceOf(KeysUnavailableError)
    await expect(s.keys.require()).rejects.toMatchObject({ details: 'config.chain is null' })
    await expect(s.keys.retryWaiting()).resolves.toBeUndefined()
    await s.stop()
  })
})

describe('KeysService on anvil', () => {
  let chain: TestChain
  let config: ChainConfig
  let a: Identity
  let store: SliceStore
  let itemId: string
  let salt: Uint8Array
  let cardId: Hex

  const fund = (id: Identity) =>
    chain.test.setBalance({ address: id.address, value: parseEther('100') })

  beforeAll(async () => {
    chain = await setupChain(1)
    const d = chain.deployed
    config = chainConfigOf(d, chain.anvil.rpcUrl)
    a = await newIdentity()
    await fund(a)
    store = createSliceStore({ files: new MemoryBackend(), meta: await openMeta('ks-creator') })
    const r = await publishFile(
      { store, estimate: async () => ({ usage: 0, quota: 1e12 }) },
      {
        input: new Blob([new Uint8Array(70_000).fill(9)]),
        cipherOf: creatorCipher(a.contentMaster),
        sliceSize: 65_536,
      },
    )
    itemId = r.id
    salt = r.contentSalt
    const aChain: ChainContext = {
      ...createChainClients({
        rpcUrl: config.rpcUrl,
        chainId: config.chainId,
        account: a.account,
        pollingInterval: 20,
      }),
      contracts: config.contracts,
    }
    ;({ cardId } = await postCard(aChain, { card: makeCard('keys service') }))
    await listCard(aChain, {
      cardId,
      price: parseEther('0.01'),
      supply: 0,
      royaltyBps: 500,
      transferFee: parseEther('0.001'),
      keyAgent: a.address,
    })
  }, 60_000)
  afterAll(async () => {
    await chain?.stop()
  })

  it('has no session before there is an identity', async () => {
    const s = await stack(config, null)
    expect(await s.keys.session()).toBeNull()
    await expect(s.keys.require()).rejects.toMatchObject({
      name: 'KeysUnavailableError',
      details: 'no identity yet',
    })
    await s.stop()
  })

  it('runs a session for the account and starts a new one when the account changes', async () => {
    const b = await newIdentity()
    const s = await stack(config, a)
    const first = await s.keys.require()
    expect(first.chain.account.address).toBe(a.address)
    expect(first.wrapPublic).toBe(`0x${bytesToHex(a.wrapPublic)}`)
    expect(first.config).toEqual(config)
    expect(await s.keys.session()).toBe(first) // one session while the account stays
    const agentStop = vi.spyOn(first.agent, 'stop')
    const ownerStop = vi.spyOn(first.owner, 'stop')

    // Another identity is restored: the account restarts and tells keys (onChange).
    s.who.current = b
    await s.account.restart()
    expect(agentStop).toHaveBeenCalledOnce()
    expect(ownerStop).toHaveBeenCalledOnce()
    const second = await s.keys.require()
    expect(second).not.toBe(first)
    expect(second.chain.account.address).toBe(b.address)
    expect(second.wrapPublic).toBe(`0x${bytesToHex(b.wrapPublic)}`)
    // Each account has its own vault.
    expect(second.vault).not.toBe(first.vault)

    // The identity goes away: the next restart leaves no session.
    s.who.current = null
    const agentStop2 = vi.spyOn(second.agent, 'stop')
    await s.account.restart()
    expect(agentStop2).toHaveBeenCalledOnce()
    expect(await s.keys.session()).toBeNull()

    // A restore: the account restarts again, and keys with it (onChange), until keys stops.
    const restart = vi.spyOn(s.keys, 'restart')
    s.who.current = a
    await s.account.restart()
    expect(restart).toHaveBeenCalledOnce()
    const third = await s.keys.require()
    expect(third.chain.account.address).toBe(a.address)
    const agentStop3 = vi.spyOn(third.agent, 'stop')
    await s.keys.stop()
    expect(agentStop3).toHaveBeenCalledOnce()
    s.who.current = b
    await s.account.restart()
    expect(restart).toHaveBeenCalledOnce()
    await s.stop()
  })

  it('serves a request that waited for an unknown card once access knows the card', async () => {
    const e = await newIdentity()
    await fund(e)
    const creator = await stack(config, a, store)
    const buyer = await stack(config, e)
    try {
      const mine = await creator.keys.require()
      const theirs = await buyer.keys.require()
      const { tokenId } = await buyKey(theirs.chain, { cardId, wrapPub: theirs.wrapPublic })
      await theirs.owner.track(tokenId, cardId)
      // What the feed's "Owned" badge reads: the token is held, the key not there yet.
      const handlers = createKeysHandlers(buyer.keys)
      const owned = async () =>
        (await handlers['keys.owned'](undefined, { signal: new AbortController().signal })).cards
      const row = { cardId: cardId.toLowerCase(), tokenId: tokenId.toString() }
      expect(await owned()).toEqual([{ ...row, state: 'pending' }])

      // The creator's node does not know which item the card is: the request waits.
      const outcomes = () =>
        creator.events.flatMap((ev) =>
          ev.kind === 'keys.agent' && ev.tokenId === tokenId.toString() ? [ev.outcome] : [],
        )
      // The outcome is told after the waiting request is stored: wait for both.
      await waitFor(
        'the request to wait',
        async () => mine.agent.waiting.has(tokenId) && outcomes().length > 0,
      )
      expect(outcomes()).toEqual(['unknown-card'])
      await creator.keys.retryWaiting() // still unknown: still waiting
      expect(mine.agent.waiting.has(tokenId)).toBe(true)
      expect(await (await buyer.access.vault())?.get(cardId)).toBeNull()

      await creator.access.link({ cardId, itemId })
      await creator.keys.retryWaiting()
      expect(mine.agent.waiting.has(tokenId)).toBe(false)
      expect(outcomes()).toEqual(['unknown-card', 'unknown-card', 'delivered'])

      // The buyer's owner follower opens the delivery into its vault.
      const held = await waitFor('the buyer’s key', async () =>
        (await buyer.access.vault())?.get(cardId),
      )
      expect(held.tokenId).toBe(tokenId)
      expect(held.key).toEqual(deriveContentKey(a.contentMaster, salt))
      expect(await owned()).toEqual([{ ...row, state: 'ready' }])
      expect(
        buyer.events.some(
          (ev) => ev.kind === 'keys.update' && ev.cardId === cardId && ev.change === 'key',
        ),
      ).toBe(true)
    } finally {
      await Promise.all([creator.stop(), buyer.stop()])
    }
  })
})
