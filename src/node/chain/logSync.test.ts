import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeCard, setupChain, type TestChain } from '../../../contracts/test/setup.ts'
import { cardRegistryAbi } from './abi.ts'
import { type CursorStore, openCursorStore } from './cursorStore.ts'
import { logSync, type SyncedLog, syncLogsOnce } from './logSync.ts'
import { postCard } from './postCard.ts'
import { reactToCard } from './reactToCard.ts'

let chain: TestChain
let dbCount = 0
beforeAll(async () => {
  chain = await setupChain(2)
})
afterAll(async () => {
  await chain?.stop()
})

type Ev = SyncedLog<typeof cardRegistryAbi>

/** A consumer that keeps posted card ids by block, as the feed would. */
function consumer() {
  const cards = new Map<string, bigint>()
  const batches: { fromBlock: bigint; toBlock: bigint; n: number }[] = []
  const reorgs: bigint[] = []
  return {
    cards,
    batches,
    reorgs,
    onLogs: (logs: Ev[], range: { fromBlock: bigint; toBlock: bigint }) => {
      batches.push({ ...range, n: logs.length })
      for (const log of logs) {
        if (log.eventName === 'CardPosted') cards.set(log.args.cardId, log.blockNumber)
      }
    },
    onReorg: (from: bigint) => {
      reorgs.push(from)
      for (const [id, block] of cards) if (block >= from) cards.delete(id)
    },
  }
}

async function params(store: CursorStore, c: ReturnType<typeof consumer>, extra = {}) {
  return {
    client: chain.ctx[0]!.publicClient,
    address: chain.deployed.cardRegistry,
    abi: cardRegistryAbi,
    cursorKey: '31337:test',
    store,
    fromBlock: BigInt(chain.deployed.deployBlock),
    confirmations: 0,
    onLogs: c.onLogs,
    onReorg: c.onReorg,
    signal: new AbortController().signal,
    ...extra,
  }
}

const newStore = () => openCursorStore({ dbName: `logsync-${++dbCount}` })

describe('logSync', () => {
  it('delivers decoded events in batches, in order, and resumes from the persisted cursor', async () => {
    const [alice] = chain.ctx
    const ids: string[] = []
    for (let i = 0; i < 5; i++)
      ids.push((await postCard(alice!, { card: makeCard('sync') })).cardId)
    await reactToCard(alice!, { cardId: ids[0]! as `0x${string}`, kind: 2 })
    const dbName = `logsync-${++dbCount}`
    const store = await openCursorStore({ dbName })
    const c = consumer()
    const seen: string[] = []
    const res = await syncLogsOnce({
      ...(await params(store, c, { batchSize: 2 })),
      onLogs: (logs: Ev[], range: { fromBlock: bigint; toBlock: bigint }) => {
        c.onLogs(logs, range)
        for (const l of logs) seen.push(l.eventName)
      },
    })
    const head = await alice!.publicClient.getBlockNumber({ cacheTime: 0 })
    expect(res.syncedTo).toBe(head)
    expect([...c.cards.keys()]).toEqual(expect.arrayContaining(ids))
    expect(seen.slice(-6)).toEqual([...Array(5).fill('CardPosted'), 'Reacted'])
    // Batches of at most 2 blocks, contiguous.
    for (const [i, b] of c.batches.entries()) {
      expect(b.toBlock - b.fromBlock).toBeLessThanOrEqual(1n)
      if (i > 0) expect(b.fromBlock).toBe(c.batches[i - 1]!.toBlock + 1n)
    }
    store.close()
    // A new session on the same database resumes: nothing is delivered twice.
    const again = await openCursorStore({ dbName })
    const c2 = consumer()
    const res2 = await syncLogsOnce(await params(again, c2))
    expect(res2.logs).toBe(0)
    expect(c2.cards.size).toBe(0)
    const id = (await postCard(alice!, { card: makeCard('later') })).cardId
    await syncLogsOnce(await params(again, c2))
    expect([...c2.cards.keys()]).toEqual([id])
    again.close()
  })

  it('stays `confirmations` blocks behind the head', async () => {
    const [alice] = chain.ctx
    const store = await newStore()
    const c = consumer()
    await syncLogsOnce(await params(store, c))
    const { cardId } = await postCard(alice!, { card: makeCard('conf') })
    await syncLogsOnce(await params(store, c, { confirmations: 2 }))
    expect(c.cards.has(cardId)).toBe(false)
    await chain.test.mine({ blocks: 2 })
    await syncLogsOnce(await params(store, c, { confirmations: 2 }))
    expect(c.cards.has(cardId)).toBe(true)
    store.close()
  })

  it('survives a reorg (evm_revert): drops the orphaned events and reads the new branch', async () => {
    const [alice, bob] = chain.ctx
    const store = await newStore()
    const c = consumer()
    await syncLogsOnce(await params(store, c))
    const snapshot = await chain.test.snapshot()
    const orphan = await postCard(alice!, { card: makeCard('orphan') })
    await chain.test.mine({ blocks: 2 })
    await syncLogsOnce(await params(store, c))
    expect(c.cards.has(orphan.cardId)).toBe(true)
    // Replace the last blocks by a different branch of the same height or more.
    await chain.test.revert({ id: snapshot })
    const replacement = await postCard(bob!, { card: makeCard('replacement') })
    await chain.test.mine({ blocks: 3 })
    const res = await syncLogsOnce(await params(store, c))
    expect(res.reorgFrom).toBeDefined()
    expect(res.reorgFrom!).toBeLessThanOrEqual(orphan.receipt.blockNumber)
    expect(c.reorgs).toEqual([res.reorgFrom])
    expect(c.cards.has(orphan.cardId)).toBe(false)
    expect(c.cards.get(replacement.cardId)).toBe(replacement.receipt.blockNumber)
    store.close()
  })

  it('survives anvil_reorg, which replaces blocks with new transactions', async () => {
    const [alice] = chain.ctx
    const store = await newStore()
    const c = consumer()
    const before = await postCard(alice!, { card: makeCard('pre-reorg') })
    await chain.test.mine({ blocks: 3 })
    await syncLogsOnce(await params(store, c))
    expect(c.cards.has(before.cardId)).toBe(true)
    // Reorg the last 4 blocks (the post is among them) with an empty branch.
    await chain.ctx[0]!.publicClient.request({
      method: 'anvil_reorg' as 'eth_chainId',
      params: [4, []] as unknown as undefined,
    })
    const res = await syncLogsOnce(await params(store, c))
    expect(res.reorgFrom).toBeDefined()
    expect(c.cards.has(before.cardId)).toBe(false)
    store.close()
  })

  it('restarts when the scope changes (another deployment)', async () => {
    const store = await newStore()
    const c = consumer()
    await syncLogsOnce(await params(store, c))
    const n = c.cards.size
    expect(n).toBeGreaterThan(0)
    const c2 = consumer()
    await syncLogsOnce(
      await params(store, c2, { fromBlock: BigInt(chain.deployed.deployBlock) + 1n }),
    )
    expect(c2.cards.size).toBe(n)
    store.close()
  })

  it('loops until aborted, delivering new events as they come', async () => {
    const [alice] = chain.ctx
    const store = await newStore()
    const c = consumer()
    const ac = new AbortController()
    const running = logSync({ ...(await params(store, c)), signal: ac.signal, pollIntervalMs: 20 })
    const { cardId } = await postCard(alice!, { card: makeCard('live') })
    const deadline = Date.now() + 5_000
    while (!c.cards.has(cardId) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    expect(c.cards.has(cardId)).toBe(true)
    ac.abort()
    await expect(running).resolves.toBeUndefined()
    store.close()
  })

  it('rejects with AbortedError when aborted before a pass', async () => {
    const store = await newStore()
    const ac = new AbortController()
    ac.abort()
    await expect(
      syncLogsOnce({ ...(await params(store, consumer())), signal: ac.signal }),
    ).rejects.toMatchObject({ name: 'AbortedError' })
    store.close()
  })
})
