/**
 * viem clients for the node worker (DESIGN §1 "chain/"). One public client for reads and logs,
 * one wallet client for the profile's account (the embedded key or an EIP-1193 wallet).
 */
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'

/** Addresses of the three contracts on the configured chain. */
export type ChainContracts = {
  cardRegistry: Address
  keyMarket: Address
  chequebook: Address
}

/** Parameters of {@link createChainClients}. */
export type CreateChainClientsParameters = {
  rpcUrl: string
  chainId: number
  /** A local account (signs in the worker) or the address of an external wallet. */
  account: Account | Address
  /** Transport for the wallet client; default: HTTP to `rpcUrl` (use `custom(eip1193)` for a wallet). */
  walletTransport?: Transport
  /** How often receipts and blocks are polled, in ms. Default 1000 (250 on chain 31337). */
  pollingInterval?: number
}

/** The clients every chain operation takes. */
export type ChainClients = {
  chain: Chain
  publicClient: PublicClient<Transport, Chain>
  walletClient: WalletClient<Transport, Chain, Account>
  account: Account
}

/** Clients plus contract addresses: the `ctx` of every operation in this folder. */
export type ChainContext = ChainClients & { contracts: ChainContracts }

/**
 * Creates the public and wallet clients for one chain and account.
 * @example
 * const clients = createChainClients({ rpcUrl, chainId: 31337, account: privateKeyToAccount(key) })
 * const ctx: ChainContext = { ...clients, contracts }
 */
export function createChainClients(params: CreateChainClientsParameters): ChainClients {
  const chain = defineChain({
    id: params.chainId,
    name: params.chainId === 31337 ? 'Anvil' : `Chain ${params.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [params.rpcUrl] } },
  })
  const pollingInterval = params.pollingInterval ?? (params.chainId === 31337 ? 250 : 1000)
  const publicClient = createPublicClient({
    chain,
    transport: http(params.rpcUrl),
    pollingInterval,
  })
  const walletClient = createWalletClient({
    chain,
    account: params.account,
    transport: params.walletTransport ?? http(params.rpcUrl),
    pollingInterval,
  })
  return { chain, publicClient, walletClient, account: walletClient.account }
}
