import { createWalletClient, http, isAddress, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import type { ChainConfig } from '../src/shared/config.ts'
import { logger } from './log.ts'

const log = logger('faucet')

/**
 * anvil's well-known dev account #9 (from its public test mnemonic): the faucet's purse.
 * Account #0 deploys the contracts, so the faucet keeps clear of its nonces.
 */
const FAUCET_KEY = '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6'

export const FAUCET_AMOUNT = parseEther('10')
/** One drip per address per this many milliseconds. */
const COOLDOWN_MS = 10_000

export type Faucet = { drip(address: string): Promise<{ hash: `0x${string}`; amount: string }> }

/**
 * The development chain's faucet (chain id 31337 only): sends 10 ETH to an address so a new
 * identity can post cards and buy keys. Never present on any other chain.
 */
export function createFaucet(chain: ChainConfig): Faucet | null {
  if (chain.chainId !== 31337) return null
  const account = privateKeyToAccount(FAUCET_KEY)
  const client = createWalletClient({
    account,
    chain: { ...foundry, id: chain.chainId },
    transport: http(chain.rpcUrl),
  })
  const last = new Map<string, number>()
  let queue: Promise<unknown> = Promise.resolve()
  return {
    async drip(address) {
      if (!isAddress(address)) throw new TypeError('address: expected a 0x-prefixed EVM address')
      const key = address.toLowerCase()
      const now = Date.now()
      if (now - (last.get(key) ?? 0) < COOLDOWN_MS)
        throw new RangeError('this address was funded moments ago; try again in a few seconds')
      last.set(key, now)
      // One transaction at a time keeps the purse's nonces in order.
      const sent = queue.then(() => client.sendTransaction({ to: address, value: FAUCET_AMOUNT }))
      queue = sent.catch(() => {})
      const hash = await sent
      log('sent %s wei to %s (%s)', FAUCET_AMOUNT, address, hash)
      return { hash, amount: FAUCET_AMOUNT.toString() }
    },
  }
}
