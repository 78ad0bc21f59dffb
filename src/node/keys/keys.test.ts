/**
 * The keys flows on a real anvil (DESIGN §4.4–4.5, §6): the agent delivers to the owner of
 * record only; a key sealed for B does not open for C; a seeder with ciphertext and no key
 * decrypts nothing; `deliver` from anyone but the agent reverts; after a transfer the agent
 * refuses the past owner and the old owner's vault drops the key.
 */
import 'fake-indexeddb/auto'
import { hexToBytes } from '@noble/hashes/utils.js'
import { type Hex, HttpRequestError, parseEther, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { makeCard, setupChain, type TestChain } from '../../../contracts/test/setup.ts'
import { waitFor } from '../../../scripts/test/waitFor.ts'
import { ChainUnreachableError, NotKeyAgentError } from '../../shared/errors/chain.ts'
import { KeyUnwrapError, SliceAuthError } from '../../shared/errors/crypto.ts'
import { accessService } from '../access/service.ts'
import { createKeyVault, type KeyVault, vaultWrappingKey } from '../access/vault.ts'
import { openKeysDb } from '../account/db.ts'
import {
  clearExternalChoice,
  loadExternalChoice,
  saveExternalChoice,
} from '../account/externalChoice.ts'
import { keyMarketAbi } from '../chain/abi.ts'
import { buyKey } from '../chain/buyKey.ts'
import { type ChainContext, createChainClients } from '../chain/clients.ts'
import { openCursorStore } from '../chain/cursorStore.ts'
import { deliverKey } from '../chain/deliverKey.ts'
import { listCard } from '../chain/listCard.ts'
import { postCard } from '../chain/postCard.ts'
import { requestKey } from '../chain/requestKey.ts'
import { transferKey } from '../chain/transferKey.ts'
import { creatorCipher, deriveContentKey, sliceCipher } from '../crypto/content.ts'
import { openContentKey } from '../crypto/hpke.ts'
import { deriveIdentity, type Identity } from '../crypto/identity.ts'
import { readStored } from '../store/_store.fixtures.ts'
import { MemoryBackend } from '../store/memoryBackend.ts'
import { openMeta } from '../store/meta.ts'
import { publishFile } from '../store/publish.ts'
import { createSliceStore } from '../store/sliceStore.ts'
import type { SliceStore } from '../store/types.ts'
import { KeyAgent, type KeyRequest, serveKeyRequest } from './agent.ts'
import { KeyOwner } from './owner.ts'

type Person = { id: Identity; chain: ChainContext; vault: KeyVault; owner: KeyOwner; hex: Hex }

let chain: TestChain
let store: SliceStore
let a: Person
let b: Person
let c: Person
let itemId: string
let salt: Uint8Array
let cardId: Hex
const plaintext = new Uint8Array(70_000).map((_, i) => (i * 7919) % 251)
let n = 0

async function person(): Promise<Person> {
  const id = await deriveIdentity(crypto.getRandomValues(new Uint8Array(64)))
  await chain.test.setBalance({ address: id.address, value: parseEther('100') })
  const ctx: ChainContext = {
    ...createChainClients({
      rpcUrl: chain.anvil.rpcUrl,
      chainId: chain.anvil.chainId,
      account: id.account,
      pollingInterval: 20,
    }),
    contracts: chain.ctx[0]!.contracts,
  }
  const db = await openKeysDb(id.address, `keys-test-${n++}`)
  const vault = createKeyVault(db)
  const owner = new KeyOwner({
    chain: ctx,
    wrapSecret: id.wrapSecret,
    wrapPublic: id.wrapPublic,
    vault,
    db,
    cursors: await openCursorStore({ dbName: `cursors-test-${n++}` }),
    fromBlock: BigInt(chain.deployed.deployBlock),
  })
  owner.start()
  const hex = `0x${Buffer.from(id.wrapPublic).toString('hex')}` as Hex
  return { id, chain: ctx, vault, owner, hex }
}

/** The newest KeyRequested of a token. */
async function lastRequest(tokenId: bigint) {
  const logs = parseEventLogs({
    abi: keyMarketAbi,
    eventName: 'KeyRequested',
    logs: await a.chain.publicClient.getLogs({
      address: a.chain.contracts.keyMarket,
      fromBlock: BigInt(chain.deployed.deployBlock),
    }),
  }).filter((l) => l.args.tokenId === tokenId)
  const last = logs.at(-1)!.args
  return { tokenId, cardId: last.cardId, owner: last.owner, wrapPub: last.wrapPub }
}

const agentOf = () => ({
  chain: a.chain,
  keyOf: async (id: Hex) => (id === cardId ? deriveContentKey(a.id.contentMaster, salt) : null),
})

beforeAll(async () => {
  chain = await setupChain(1)
  ;[a, b, c] = [await person(), await person(), await person()]
  store = createSliceStore({ files: new MemoryBackend(), meta: await openMeta('keys-test-store') })
  const r = await publishFile(
    { store, estimate: async () => ({ usage: 0, quota: 1e12 }) },
    {
      input: new Blob([plaintext]),
      cipherOf: creatorCipher(a.id.contentMaster),
      sliceSize: 65_536,
    },
  )
  itemId = r.id
  salt = r.contentSalt
  ;({ cardId } = await postCard(a.chain, { card: makeCard('paid video') }))
  await listCard(a.chain, {
    cardId,
    price: parseEther('0.01'),
    supply: 0,
    royaltyBps: 500,
    transferFee: parseEther('0.001'),
    keyAgent: a.id.address,
  })
}, 60_000)
afterAll(async () => {
  await Promise.all([a?.owner.stop(), b?.owner.stop(), c?.owner.stop()])
  await chain?.stop()
})

describe('keys on anvil', () => {
  it('the access map reads the salt of a stored item', async () => {
    const access = accessService({ dbName: 'keys-test-access' })({
      identity: { identity: async () => a.id },
      store: async () => store,
      account: { context: async () => null },
    })
    await access.link({ cardId, itemId })
    expect(await access.saltOf(cardId)).toEqual(salt)
    expect(await access.saltOf(`0x${'11'.repeat(32)}`)).toBeNull()
  })

  it('B buys, the agent delivers, B decrypts; C cannot open B’s key; a seeder decrypts nothing', async () => {
    const { tokenId } = await buyKey(b.chain, { cardId, wrapPub: b.hex })
    await b.owner.track(tokenId, cardId)
    expect(await serveKeyRequest(agentOf(), await lastRequest(tokenId))).toBe('delivered')
    const held = await waitFor('B’s key', () => b.vault.get(cardId), { timeoutMs: 15_000 })
    expect(held.tokenId).toBe(tokenId)
    const got = await readStored(store, itemId, await sliceCipher(held.key, salt), 0, 70_000)
    expect(got).toEqual(plaintext)

    const [delivered] = parseEventLogs({
      abi: keyMarketAbi,
      eventName: 'KeyDelivered',
      logs: await b.chain.publicClient.getLogs({ address: b.chain.contracts.keyMarket }),
    })
    const wrapped = hexToBytes(delivered!.args.wrappedKey.slice(2))
    await expect(
      openContentKey(c.id.wrapSecret, wrapped, hexToBytes(cardId.slice(2)), tokenId),
    ).rejects.toBeInstanceOf(KeyUnwrapError)

    // C seeds the same ciphertext: no vault key, and its own master derives a useless key.
    expect(await c.vault.get(cardId)).toBeNull()
    const wrong = await sliceCipher(deriveContentKey(c.id.contentMaster, salt), salt)
    await expect(readStored(store, itemId, wrong, 0, 10)).rejects.toBeInstanceOf(SliceAuthError)
  })

  it('deliver from anyone but the key agent reverts', async () => {
    const { tokenId } = await buyKey(c.chain, { cardId, wrapPub: c.hex })
    await expect(
      deliverKey(b.chain, { tokenId, wrappedKey: `0x${'00'.repeat(80)}` }),
    ).rejects.toBeInstanceOf(NotKeyAgentError)
  })

  it('a delivery read while the chain cannot answer the owner check fails the pass and is kept for the next', async () => {
    const d = await person()
    await d.owner.stop() // this test applies D's logs itself
    const { tokenId } = await buyKey(d.chain, { cardId, wrapPub: d.hex })
    await d.owner.track(tokenId, cardId)
    expect(await serveKeyRequest(agentOf(), await lastRequest(tokenId))).toBe('delivered')
    const logs = await d.owner.read({
      fromBlock: BigInt(chain.deployed.deployBlock),
      toBlock: await d.chain.publicClient.getBlockNumber({ cacheTime: 0 }),
    })
    const delivered = logs.filter(
      (l) => l.eventName === 'KeyDelivered' && l.args.tokenId === tokenId,
    )
    expect(delivered).toHaveLength(1)
    // The owner check meets a chain that is down: the pass fails, nothing is taken as "not mine".
    const down = vi
      .spyOn(d.chain.publicClient, 'readContract')
      .mockRejectedValueOnce(new HttpRequestError({ url: chain.anvil.rpcUrl, details: 'down' }))
    await expect(d.owner.apply(delivered)).rejects.toBeInstanceOf(ChainUnreachableError)
    expect(await d.vault.get(cardId)).toBeNull()
    down.mockRestore()
    // The pass read again once the chain answers: the key is stored.
    await d.owner.apply(delivered)
    expect((await d.vault.get(cardId))?.tokenId).toBe(tokenId)
    await d.vault.deleteToken(tokenId)
  })

  it('after a transfer the agent refuses the past owner and the old owner’s key is gone', async () => {
    const tokenId = (await b.vault.get(cardId))!.tokenId
    const oldRequest = await lastRequest(tokenId)
    await requestKey(b.chain, { tokenId, wrapPub: b.hex }) // B asks again, then gives it away
    const stale = await lastRequest(tokenId)
    await transferKey(b.chain, { tokenId, to: c.id.address })
    await waitFor('B to drop the key', async () => (await b.vault.get(cardId)) === null, {
      timeoutMs: 15_000,
    })
    // Closed by the transfer, or already re-opened by C's node: refused either way.
    expect(['not-pending', 'past-owner']).toContain(await serveKeyRequest(agentOf(), stale))
    // C's node requests its own delivery on seeing the Transfer.
    const cReq = await waitFor(
      'C’s request',
      async () => {
        const r = await lastRequest(tokenId)
        return r.owner.toLowerCase() === c.id.address.toLowerCase() ? r : null
      },
      { timeoutMs: 15_000 },
    )
    expect(await serveKeyRequest(agentOf(), stale)).toBe('past-owner')
    expect(await serveKeyRequest(agentOf(), oldRequest)).toBe('past-owner')
    expect(await serveKeyRequest(agentOf(), cReq)).toBe('delivered')
    const held = await waitFor(
      'C’s key',
      async () => {
        const h = await c.vault.get(cardId)
        return h?.tokenId === tokenId ? h : null
      },
      { timeoutMs: 15_000 },
    )
    const got = await readStored(store, itemId, await sliceCipher(held.key, salt), 0, 100)
    expect(got).toEqual(plaintext.subarray(0, 100))
    expect(await b.vault.get(cardId)).toBeNull()
  })

  it('the agent service catches up on requests made while it was off; owners read only their own logs', async () => {
    const d = await person()
    // D's node syncs from the deployment: past B's and C's sales and deliveries.
    const seen: string[] = []
    const apply = d.owner.apply.bind(d.owner)
    d.owner.apply = (logs, signal) => {
      for (const l of logs)
        seen.push(`${l.eventName}:${'tokenId' in l.args ? l.args.tokenId : '?'}`)
      return apply(logs, signal)
    }
    const { tokenId } = await buyKey(d.chain, { cardId, wrapPub: d.hex })
    await d.owner.track(tokenId, cardId)
    const outcomes: string[] = []
    const agent = new KeyAgent({
      ...agentOf(),
      cursors: await openCursorStore({ dbName: 'cursors-test-agent' }),
      fromBlock: BigInt(chain.deployed.deployBlock),
      onOutcome: (r, o) => outcomes.push(`${r.tokenId}:${o}`),
    })
    agent.start()
    try {
      const held = await waitFor('D’s key', () => d.vault.get(cardId), { timeoutMs: 15_000 })
      expect(held.tokenId).toBe(tokenId)
      expect(outcomes).toContain(`${tokenId}:delivered`)
      expect(seen).toEqual([`Transfer:${tokenId}`, `KeyDelivered:${tokenId}`])
    } finally {
      await Promise.all([agent.stop(), d.owner.stop()])
    }
  })

  it('a request for a card the agent does not know yet waits, survives a restart, then is served', async () => {
    const e = await person()
    const known = new Set<Hex>()
    const keyOf = async (id: Hex) =>
      known.has(id) ? deriveContentKey(a.id.contentMaster, salt) : null
    const { tokenId } = await buyKey(e.chain, { cardId, wrapPub: e.hex })
    await e.owner.track(tokenId, cardId)
    const db = await openKeysDb(a.id.address, 'keys-test-waiting')
    const components = {
      ...agentOf(),
      keyOf,
      cursors: await openCursorStore({ dbName: 'cursors-test-waiting' }),
      fromBlock: BigInt(chain.deployed.deployBlock),
      waitingStore: {
        put: async (r: KeyRequest) => {
          await db.put('agent-waiting', { ...r, tokenId: r.tokenId.toString() })
        },
        delete: (t: bigint) => db.delete('agent-waiting', t.toString()),
        all: async () =>
          ((await db.getAll('agent-waiting')) as (KeyRequest & { tokenId: string })[]).map((r) => ({
            ...r,
            tokenId: BigInt(r.tokenId),
          })),
      },
    }
    const first = new KeyAgent(components)
    first.start()
    await waitFor('the request to wait', async () => first.waiting.has(tokenId), {
      timeoutMs: 15_000,
    })
    await first.stop()
    const second = new KeyAgent(components) // a reopened tab: the cursor is past the request
    second.start()
    await waitFor('the waiting request to load', async () => second.waiting.has(tokenId), {
      timeoutMs: 15_000,
    })
    known.add(cardId)
    await second.retry()
    try {
      const held = await waitFor('E’s key', () => e.vault.get(cardId), { timeoutMs: 15_000 })
      expect(held.tokenId).toBe(tokenId)
      expect(second.waiting.has(tokenId)).toBe(false)
      expect(await db.getAll('agent-waiting')).toEqual([])
    } finally {
      await Promise.all([second.stop(), e.owner.stop()])
    }
  })

  it('a remembered wallet choice is sealed at rest and opens only as it was stored', async () => {
    const db = await openKeysDb(a.id.address, 'keys-test-choice')
    expect(await loadExternalChoice(db)).toBeNull()
    const signature = `0x${'ab'.repeat(65)}` as Hex
    const address = c.id.address
    await saveExternalChoice(db, { address, signature })
    const raw = (await db.get('settings', 'external-wallet')) as { ct: Uint8Array }
    expect(Buffer.from(raw.ct).includes(Buffer.from('ab'.repeat(65), 'hex'))).toBe(false)
    expect(await loadExternalChoice(db)).toEqual({ address, signature })
    // Bound to its address: a record edited to name another wallet does not open.
    await db.put('settings', { ...raw, address: b.id.address }, 'external-wallet')
    expect(await loadExternalChoice(db)).toBeNull()
    await clearExternalChoice(db)
    expect(await db.get('settings', 'external-wallet')).toBeUndefined()
  })

  it('connections that ask for the wrapping key at once all get the same one', async () => {
    const name = 'keys-test-kek-race'
    const dbs = await Promise.all([0, 1, 2].map(() => openKeysDb(a.id.address, name)))
    const keys = await Promise.all(dbs.map((db) => vaultWrappingKey(db)))
    const stored = await vaultWrappingKey(dbs[0]!)
    const iv = new Uint8Array(12)
    const sealed = await Promise.all(
      keys.map(async (k) =>
        Buffer.from(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, k, new Uint8Array(1))),
      ),
    )
    const expected = Buffer.from(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, stored, new Uint8Array(1)),
    )
    for (const s of sealed) expect(s).toEqual(expected)
    for (const db of dbs) db.close()
  })

  it('the vault keeps keys wrapped at rest and drops them by token', async () => {
    const db = await openKeysDb(a.id.address, 'keys-test-vault')
    const vault = createKeyVault(db)
    const key = crypto.getRandomValues(new Uint8Array(32))
    await vault.put(cardId, 7n, key)
    const raw = (await db.getAll('vault'))[0] as { ct: Uint8Array }
    expect(Buffer.from(raw.ct).includes(Buffer.from(key))).toBe(false)
    expect((await vault.get(cardId))?.key).toEqual(key)
    expect(await vault.deleteToken(7n)).toEqual([cardId])
    expect(await vault.get(cardId)).toBeNull()
  })
})
