/**
 * Deploys CardRegistry, KeyMarket and Chequebook (or reuses a previous deployment whose code
 * is still on the chain, e.g. after an anvil restart with kept state).
 */
import {
  type Address,
  createPublicClient,
  createWalletClient,
  getAddress,
  type Hex,
  http,
  type PublicClient,
  type WalletClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { type Artifact, compileContracts } from './compile.ts'

/** Where the contracts live on one chain. */
export type DeployedContracts = {
  chainId: number
  cardRegistry: Address
  keyMarket: Address
  chequebook: Address
  deployBlock: number
}

/** anvil's first dev account (from its well-known test mnemonic). */
export const anvilDeployerKey: Hex =
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'

/**
 * Deploys the three contracts, or returns `existing` when code is at all its addresses on the
 * same chain.
 * @example const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl })
 */
export async function deployContracts(opts: {
  rpcUrl: string
  deployerPrivateKey?: Hex
  existing?: DeployedContracts
}): Promise<DeployedContracts> {
  const transport = http(opts.rpcUrl)
  const publicClient = createPublicClient({ transport })
  const chainId = await publicClient.getChainId()
  if (opts.existing && opts.existing.chainId === chainId) {
    const { cardRegistry, keyMarket, chequebook } = opts.existing
    const codes = await Promise.all(
      [cardRegistry, keyMarket, chequebook].map((address) => publicClient.getCode({ address })),
    )
    if (codes.every((c) => c !== undefined && c !== '0x')) return opts.existing
  }
  const account = privateKeyToAccount(opts.deployerPrivateKey ?? anvilDeployerKey)
  const chain = { ...foundry, id: chainId }
  const wallet = createWalletClient({ account, chain, transport })
  const artifacts = await compileContracts()
  const need = (name: string): Artifact => {
    const a = artifacts[name]
    if (!a) throw new Error(`contract ${name} is missing from the build`)
    return a
  }
  const cardRegistry = await deployOne(publicClient, wallet, need('CardRegistry'), [])
  const keyMarket = await deployOne(publicClient, wallet, need('KeyMarket'), [cardRegistry.address])
  const chequebook = await deployOne(publicClient, wallet, need('Chequebook'), [
    cardRegistry.address,
  ])
  return {
    chainId,
    cardRegistry: cardRegistry.address,
    keyMarket: keyMarket.address,
    chequebook: chequebook.address,
    deployBlock: Number(cardRegistry.block),
  }
}

async function deployOne(
  publicClient: PublicClient,
  wallet: WalletClient,
  artifact: Artifact,
  args: unknown[],
): Promise<{ address: Address; block: bigint }> {
  const account = wallet.account
  if (!account) throw new Error('deployer account missing')
  const hash = await wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args,
    account,
    chain: wallet.chain,
  })
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new Error(`deployment failed in ${hash}`)
  }
  return { address: getAddress(receipt.contractAddress), block: receipt.blockNumber }
}
