import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, createWalletClient, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { afterAll, describe, expect, it } from 'vitest'
import { chequebookAbi } from '../../src/node/chain/abi.ts'
import { startAnvil } from './anvil.ts'
import { anvilDeployerKey, deployContracts } from './deploy.ts'

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

describe('startAnvil + deployContracts', () => {
  it('picks a free port, answers RPC, and stop() ends the process', async () => {
    const a = await startAnvil()
    const b = await startAnvil()
    expect(a.port).toBeGreaterThan(0)
    expect(b.port).not.toBe(a.port)
    expect(a.chainId).toBe(31337)
    expect(a.rpcUrl).toBe(`http://127.0.0.1:${a.port}`)
    await Promise.all([a.stop(), b.stop()])
    expect(a.process.exitCode !== null || a.process.signalCode !== null).toBe(true)
    await expect(fetch(a.rpcUrl, { method: 'POST' })).rejects.toThrow()
    await a.stop() // idempotent
  })

  it('keeps chain state and contracts across a restart with dataDir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hc-anvil-'))
    dirs.push(dataDir)
    const first = await startAnvil({ dataDir })
    const deployed = await deployContracts({ rpcUrl: first.rpcUrl })
    expect(deployed.chainId).toBe(31337)
    expect(deployed.deployBlock).toBeGreaterThan(0)
    await first.stop()
    expect((await stat(join(dataDir, 'anvil-state.json'))).size).toBeGreaterThan(0)

    const second = await startAnvil({ dataDir })
    const client = createPublicClient({ transport: http(second.rpcUrl) })
    expect(await client.getCode({ address: deployed.keyMarket })).toMatch(/^0x[0-9a-f]{100,}/)
    const reused = await deployContracts({ rpcUrl: second.rpcUrl, existing: deployed })
    expect(reused).toEqual(deployed)
    await second.stop()

    // A fresh chain has no code at those addresses: it deploys again.
    const fresh = await startAnvil()
    const redeployed = await deployContracts({ rpcUrl: fresh.rpcUrl, existing: deployed })
    const freshClient = createPublicClient({ transport: http(fresh.rpcUrl) })
    expect(await freshClient.getCode({ address: redeployed.chequebook })).toMatch(/^0x[0-9a-f]+/)
    expect(redeployed.deployBlock).toBe(1)
    await fresh.stop()
  })

  it('restarts on its port from a dumped state: blocks, hashes, logs and receipts stay, and the chain goes on', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hc-anvil-'))
    dirs.push(dataDir)
    const file = join(dataDir, 'state.json')
    const first = await startAnvil({ dumpState: file })
    const deployed = await deployContracts({ rpcUrl: first.rpcUrl })
    const chain = { ...foundry, rpcUrls: { default: { http: [first.rpcUrl] } } }
    const wallet = createWalletClient({
      account: privateKeyToAccount(anvilDeployerKey),
      chain,
      transport: http(first.rpcUrl),
    })
    const client = createPublicClient({ chain, transport: http(first.rpcUrl) })
    const deposit = () =>
      wallet.writeContract({
        address: deployed.chequebook,
        abi: chequebookAbi,
        functionName: 'deposit',
        value: parseEther('1'),
      })
    const hash = await deposit()
    const receipt = await client.waitForTransactionReceipt({ hash })
    const head = await client.getBlock({ blockTag: 'latest' })
    const logsOf = () =>
      client.getContractEvents({
        address: deployed.chequebook,
        abi: chequebookAbi,
        eventName: 'Deposited',
        fromBlock: 0n,
      })
    expect(await logsOf()).toHaveLength(1)
    await first.stop()

    const second = await startAnvil({ port: first.port, loadState: file, dumpState: file })
    expect(second.rpcUrl).toBe(first.rpcUrl)
    const again = await client.getBlock({ blockNumber: head.number })
    expect(again.hash).toBe(head.hash)
    expect(again.timestamp).toBe(head.timestamp)
    expect((await client.getTransactionReceipt({ hash })).blockHash).toBe(receipt.blockHash)
    const logs = await logsOf()
    expect(logs.map((l) => [l.blockHash, l.args.balance])).toEqual([
      [receipt.blockHash, parseEther('1')],
    ])
    // The next block continues the chain: its parent is the last block before the restart.
    const next = await client.waitForTransactionReceipt({ hash: await deposit() })
    const block = await client.getBlock({ blockNumber: next.blockNumber })
    expect(block.number).toBe(head.number + 1n)
    expect(block.parentHash).toBe(head.hash)
    expect(block.timestamp).toBeGreaterThanOrEqual(head.timestamp)
    expect((await logsOf()).map((l) => l.args.balance)).toEqual([parseEther('1'), parseEther('2')])
    await second.stop()
  })

  it('stops when its AbortSignal aborts', async () => {
    const ac = new AbortController()
    const a = await startAnvil({ signal: ac.signal })
    const exited = new Promise((r) => a.process.once('exit', r))
    ac.abort()
    await exited
    await expect(startAnvil({ signal: ac.signal })).rejects.toThrow()
  })
})
