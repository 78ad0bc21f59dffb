import { createWalletClient, http, isAddress, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import type { ChainConfig } from '../src/shared/config.ts'
import { type LimitStats, RateLimitError, type RelayLimits, TokenBuckets } from './limits.ts'
import { logger } from './log.ts'

const log = logger('faucet')

/**
 * anvil's well-known dev account #9 (from its public test mnemonic): the faucet's purse.
 * Account #0 deploys the contracts, so the faucet keeps clear of its nonces.
 */
const FAUCET_KEY = '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6'

export const FAUCET_AMOUNT = parseEther('10')

export type Faucet = {
  /**
   * Sends {@link FAUCET_AMOUNT} to `address` for a client at `clientIp`; a RateLimitError
   * (HTTP 429) names the wait when the address or the client asked too recently.
   */
  drip(address: string, clientIp: string): Promise<{ hash: `0x${string}`; amount: string }>
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

/**
 * The development chain's faucet (chain id 31337 only): sends 10 ETH to an address so a new
 * identity can post cards and buy keys. Never present on any other chain. Limited per
 * address (one drip per `faucetAddressIntervalMs`) and per client IP (a burst of
 * `faucetIpBurst`, then one per `faucetIpIntervalMs`), so one client cannot drain the purse.
 */
export function createFaucet(
  chain: ChainConfig,
  limits: RelayLimits,
  stats: LimitStats,
): Faucet | null {
  if (chain.chainId !== 31337) return null
  const account = privateKeyToAccount(FAUCET_KEY)
  const client = createWalletClient({
    account,
    chain: { ...foundry, id: chain.chainId },
    transport: http(chain.rpcUrl),
  })
  const byAddress = new TokenBuckets({
    capacity: 1,
    perSecond: 1000 / limits.faucetAddressIntervalMs,
  })
  const byIp = new TokenBuckets({
    capacity: limits.faucetIpBurst,
    perSecond: 1000 / limits.faucetIpIntervalMs,
  })
  let queue: Promise<unknown> = Promise.resolve()
  return {
    async drip(address, clientIp) {
      if (!isAddress(address)) throw new TypeError('address: expected a 0x-prefixed EVM address')
      const ipWait = byIp.take(clientIp)
      if (ipWait > 0) {
        stats.faucetRefused++
        throw new RateLimitError(
          `too many faucet requests from your address; try again in ${seconds(ipWait)} s`,
          ipWait,
        )
      }
      const wait = byAddress.take(address.toLowerCase())
      if (wait > 0) {
        stats.faucetRefused++
        throw new RateLimitError(
          `this account was funded moments ago; try again in ${seconds(wait)} s`,
          wait,
        )
      }
      // One transaction at a time keeps the purse's nonces in order.
      const sent = queue.then(() => client.sendTransaction({ to: address, value: FAUCET_AMOUNT }))
      queue = sent.catch(() => {})
      const hash = await sent
      log('sent %s wei to %s (%s)', FAUCET_AMOUNT, address, hash)
      return { hash, amount: FAUCET_AMOUNT.toString() }
    },
  }
}
