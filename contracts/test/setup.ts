/**
 * Test helper: one anvil per test file, the three contracts deployed, and chain contexts for
 * anvil's funded dev accounts.
 */
import { type Address, createTestClient, type Hex, http, type TransactionReceipt } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { type AnvilInstance, startAnvil } from '../../scripts/chain/anvil.ts'
import { compileSolidity } from '../../scripts/chain/compile.ts'
import { type DeployedContracts, deployContracts } from '../../scripts/chain/deploy.ts'
import { type ChainContext, createChainClients } from '../../src/node/chain/clients.ts'

const devMnemonic = 'test test test test test test test test test test test junk'

export type TestChain = {
  anvil: AnvilInstance
  deployed: DeployedContracts
  /** Contexts for dev accounts 0..n-1 (each funded with 10,000 ETH). */
  ctx: ChainContext[]
  test: ReturnType<typeof makeTestClient>
  /** Moves the chain's clock forward and mines a block, so calls at `latest` see the time. */
  advance(seconds: number): Promise<void>
  stop(): Promise<void>
}

function makeTestClient(rpcUrl: string) {
  return createTestClient({ mode: 'anvil', transport: http(rpcUrl) })
}

/** Starts anvil on a free port and deploys the contracts. */
export async function setupChain(accounts = 6): Promise<TestChain> {
  const anvil = await startAnvil()
  const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl })
  const contracts = {
    cardRegistry: deployed.cardRegistry,
    keyMarket: deployed.keyMarket,
    chequebook: deployed.chequebook,
  }
  const ctx = Array.from({ length: accounts }, (_, i) => ({
    ...createChainClients({
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      account: mnemonicToAccount(devMnemonic, { addressIndex: i }),
      pollingInterval: 20,
    }),
    contracts,
  }))
  const test = makeTestClient(anvil.rpcUrl)
  const advance = async (seconds: number): Promise<void> => {
    await test.increaseTime({ seconds })
    await test.mine({ blocks: 1 })
  }
  return { anvil, deployed, ctx, test, advance, stop: () => anvil.stop() }
}

/** Deploys a test contract from contracts/test/ and returns its address and ABI. */
export async function deployTestContract(ctx: ChainContext, name: string, args: unknown[] = []) {
  const artifacts = await compileSolidity({ files: [`contracts/test/${name}.sol`] })
  const artifact = artifacts[name]
  if (!artifact) throw new Error(`no artifact ${name}`)
  const hash = await ctx.walletClient.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args,
  })
  const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash })
  return { address: receipt.contractAddress as Address, abi: artifact.abi }
}

/** Wei spent on gas by a transaction. */
export function gasCost(receipt: TransactionReceipt): bigint {
  return receipt.gasUsed * receipt.effectiveGasPrice
}

let counter = 0
/** A fresh card (distinct bytes every call) of about `bytes` bytes of text. */
export function makeCard(label = 'card', bytes = 120): Hex {
  counter += 1
  const head = `{"v":1,"kind":"post","title":"${label} ${counter} ${Math.random()}","text":"`
  const body = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(bytes / 27))
  const text = `${head}${body}`.slice(0, bytes - 2)
  return `0x${Buffer.from(`${text}"}`).toString('hex')}`
}

/** A 32-byte X25519-looking public key. */
export function wrapKey(seed: number): Hex {
  return `0x${seed.toString(16).padStart(2, '0').repeat(32)}`
}
