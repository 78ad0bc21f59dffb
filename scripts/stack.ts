import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createPublicClient, http } from 'viem'
import type { ChainConfig } from '../src/shared/config.ts'
import { type StartAnvilOptions, startAnvil } from './chain/anvil.ts'
import { type DeployedContracts, deployContracts } from './chain/deploy.ts'
import { type RelayProcess, spawnRelay } from './relay-process.ts'

export type StackOptions = {
  /** Chain state, the relay's key and the generated config live here. */
  dataDir: string
  /** The built app. */
  appDir: string
  host?: string
  /** 0 picks a free port. */
  ports?: { http?: number; p2p?: number; tracker?: number; turn?: number; rpc?: number }
  /** Seconds between blocks; 0 mines on every transaction. */
  blockTime?: number
  /** Keep chain state in `dataDir` across restarts (`npm start`); tests start fresh. */
  persistChain?: boolean
  /**
   * A fresh chain that `restartChain` can restart: anvil writes its state, every block's
   * included, when it stops (about 100 kB a block, so only the drills ask for it).
   */
  restartableChain?: boolean
  relayStderr?: 'inherit' | 'ignore'
}

export type Stack = {
  url: string
  rpcUrl: string
  chain: ChainConfig
  relay: RelayProcess
  /**
   * Stops the relay and starts it again on the same ports with the same key; `crash` kills it
   * (SIGKILL, no goodbye on any socket) instead of stopping it cleanly.
   */
  restartRelay(opts?: { crash?: boolean }): Promise<RelayProcess>
  /**
   * Stops anvil (it writes its state on the way out) and starts it again on the same port from
   * that state: blocks, receipts, logs, accounts and contracts survive, and new blocks continue
   * the chain (number, hash and timestamp). `whileDown` runs while nothing answers the RPC.
   * Needs `restartableChain` (or `persistChain`, whose restarts keep no past blocks' state:
   * calls pinned to a block before the restart fail until the chain has moved past it).
   * Throws when the restarted chain is behind the one stopped or lost the contracts.
   */
  restartChain(opts?: { whileDown?: () => Promise<void> }): Promise<{ blockNumber: bigint }>
  stop(): Promise<void>
}

/**
 * The local network in one call: anvil (from the npm package), the contracts compiled and
 * deployed (or reused when the kept chain already has them), the chain config written to
 * `dataDir/chain.json` for the relay to serve, and the relay process serving the app.
 * Used by `npm start`, the end-to-end fixtures and the benchmarks.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const host = opts.host ?? '127.0.0.1'
  const chainDir = join(opts.dataDir, 'chain')
  await mkdir(chainDir, { recursive: true })
  // A kept chain loads and saves its state in chainDir; a fresh restartable one starts empty
  // and writes its state, with every block's, when it stops, for `restartChain` to load.
  const stateFile = join(chainDir, 'anvil-state.json')
  const anvilOptions: StartAnvilOptions = {
    host,
    // anvil takes no 0: without --block-time it mines a block per transaction.
    blockTime: opts.blockTime ? opts.blockTime : undefined,
    ...(opts.persistChain
      ? { dataDir: chainDir }
      : opts.restartableChain
        ? { dumpState: stateFile, keepHistory: true }
        : {}),
  }
  let anvil = await startAnvil({ ...anvilOptions, port: opts.ports?.rpc ?? 0 })
  try {
    const chainFile = join(opts.dataDir, 'chain.json')
    const previous = opts.persistChain ? await readChainFile(chainFile) : undefined
    const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl, existing: previous })
    const chain = chainConfigOf(deployed, anvil.rpcUrl)
    await writeFile(chainFile, `${JSON.stringify(chain, null, 2)}\n`)
    const relayOptions = {
      host,
      httpPort: opts.ports?.http ?? 0,
      p2pPort: opts.ports?.p2p ?? 0,
      trackerPort: opts.ports?.tracker ?? 0,
      turnPort: opts.ports?.turn ?? 0,
      dataDir: join(opts.dataDir, 'relay'),
      appDir: opts.appDir,
      chainConfigFile: chainFile,
      stderr: opts.relayStderr,
    }
    let relay = await spawnRelay(relayOptions)
    const stack: Stack = {
      url: relay.url,
      rpcUrl: anvil.rpcUrl,
      chain,
      relay,
      async restartRelay(o = {}) {
        await relay.stop(o.crash ? 'SIGKILL' : 'SIGTERM')
        relay = await spawnRelay({
          ...relayOptions,
          httpPort: relay.ports.http,
          p2pPort: relay.ports.p2p,
          trackerPort: relay.ports.tracker,
          turnPort: relay.ports.turn,
        })
        stack.relay = relay
        return relay
      },
      async restartChain(o = {}) {
        if (!opts.persistChain && !opts.restartableChain)
          throw new Error('restartChain: start the stack with restartableChain (or persistChain)')
        const client = createPublicClient({ transport: http(anvil.rpcUrl) })
        const before = await client.getBlockNumber({ cacheTime: 0 })
        await anvil.stop()
        await o.whileDown?.()
        anvil = await startAnvil({
          ...anvilOptions,
          port: anvil.port,
          ...(opts.persistChain ? {} : { loadState: stateFile }),
        })
        const blockNumber = await client.getBlockNumber({ cacheTime: 0 })
        const { cardRegistry, keyMarket, chequebook } = chain.contracts
        const codes = await Promise.all(
          [cardRegistry, keyMarket, chequebook].map((address) => client.getCode({ address })),
        )
        if (blockNumber < before || codes.some((c) => c === undefined || c === '0x'))
          throw new Error(
            `the restarted chain lost its state: block ${blockNumber} (was ${before}), contract code ${codes.map((c) => (c && c !== '0x' ? 'kept' : 'gone')).join('/')}`,
          )
        return { blockNumber }
      },
      async stop() {
        await relay.stop()
        await anvil.stop()
      },
    }
    return stack
  } catch (err) {
    await anvil.stop()
    throw err
  }
}

/** The app's view of a deployment: where the chain answers and where the contracts are. */
export function chainConfigOf(deployed: DeployedContracts, rpcUrl: string): ChainConfig {
  const { chainId, cardRegistry, keyMarket, chequebook, deployBlock } = deployed
  return { chainId, rpcUrl, contracts: { cardRegistry, keyMarket, chequebook }, deployBlock }
}

/** The contracts a kept chain already has, from the config written at the last start. */
async function readChainFile(file: string): Promise<DeployedContracts | undefined> {
  try {
    const chain = JSON.parse(await readFile(file, 'utf8')) as ChainConfig
    return { chainId: chain.chainId, deployBlock: chain.deployBlock, ...chain.contracts }
  } catch {
    return undefined
  }
}
