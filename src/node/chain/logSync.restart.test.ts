import 'fake-indexeddb/auto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, describe, expect, it } from 'vitest'
import { makeCard } from '../../../contracts/test/setup.ts'
import { type AnvilInstance, startAnvil } from '../../../scripts/chain/anvil.ts'
import { deployContracts } from '../../../scripts/chain/deploy.ts'
import { waitFor } from '../../../scripts/test/waitFor.ts'
import { cardRegistryAbi } from './abi.ts'
import { createChainClients } from './clients.ts'
import { openCursorStore } from './cursorStore.ts'
import { logSync, type SyncedLog } from './logSync.ts'
import { postCard } from './postCard.ts'

let dir: string | undefined
let anvil: AnvilInstance | undefined
afterAll(async () => {
  await anvil?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('logSync across a chain restart', () => {
  it('reports the outage as ChainUnreachableError, keeps its cursor (no false reorg), and delivers every event once after', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hc-logsync-'))
    const state = join(dir, 'state.json')
    anvil = await startAnvil({ dumpState: state, keepHistory: true })
    const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl })
    const ctx = {
      ...createChainClients({
        rpcUrl: anvil.rpcUrl,
        chainId: anvil.chainId,
        account: mnemonicToAccount('test test test test test test test test test test test junk'),
        pollingInterval: 20,
      }),
      contracts: deployed,
    }
    const store = await openCursorStore({ dbName: 'logsync-restart' })
    const delivered: string[] = []
    const ranges: { fromBlock: bigint; toBlock: bigint }[] = []
    const reorgs: bigint[] = []
    const errors: string[] = []
    const ac = new AbortController()
    const running = logSync({
      client: ctx.publicClient,
      address: deployed.cardRegistry,
      abi: cardRegistryAbi,
      cursorKey: '31337:restart',
      store,
      fromBlock: BigInt(deployed.deployBlock),
      confirmations: 0,
      pollIntervalMs: 20,
      onLogs: (logs: SyncedLog<typeof cardRegistryAbi>[], range) => {
        ranges.push(range)
        for (const l of logs) if (l.eventName === 'CardPosted') delivered.push(l.args.cardId)
      },
      onReorg: (from) => {
        reorgs.push(from)
      },
      onError: (err) => errors.push((err as Error).name),
      signal: ac.signal,
    })
    const first = await postCard(ctx, { card: makeCard('before') })
    await waitFor('the first card', () => delivered.includes(first.cardId))
    const cursor = await store.get('31337:restart')

    // The chain goes away: passes fail with the typed error and the cursor stays put.
    const port = anvil.port
    await anvil.stop()
    await waitFor('two failed passes', () => errors.length >= 2, { timeoutMs: 15_000 })
    expect(new Set(errors)).toEqual(new Set(['ChainUnreachableError']))
    expect(await store.get('31337:restart')).toEqual(cursor)

    // Back on the same port from its state: new events arrive, nothing is re-read.
    anvil = await startAnvil({ port, loadState: state, dumpState: state, keepHistory: true })
    const second = await postCard(ctx, { card: makeCard('after') })
    await waitFor('the second card', () => delivered.includes(second.cardId))
    ac.abort()
    await running
    expect(reorgs).toEqual([])
    expect(delivered).toEqual([first.cardId, second.cardId])
    // No gap and no overlap: each range starts where the one before ended.
    expect(ranges[0]?.fromBlock).toBe(BigInt(deployed.deployBlock))
    for (let i = 1; i < ranges.length; i++)
      expect(ranges[i]?.fromBlock).toBe((ranges[i - 1]?.toBlock ?? 0n) + 1n)
    store.close()
  })
})
