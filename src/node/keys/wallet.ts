/**
 * Wallet reads and the `wallet.*` handlers: balance, what the KeyMarket owes the account,
 * `claim()`, and the creator's view of its listings (sales, deliveries owed, revenue).
 */
import { parseEventLogs } from 'viem'
import { InvalidInputError } from '../../shared/errors/common.ts'
import type { CreatorSales, KeyListing } from '../../shared/protocol/methods/keys.ts'
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import type { AccountService } from '../account/service.ts'
import { keyMarketAbi } from '../chain/abi.ts'
import { claimOwed } from '../chain/claimOwed.ts'
import type { ChainContext } from '../chain/clients.ts'
import { getListing, getOwed } from '../chain/reads.ts'
import type { RpcContext } from '../rpc/server.ts'
import { DEV_CHAIN_ID } from './constants.ts'
import type { KeysSession } from './service.ts'

/** Checks an EVM address (0x + 40 hex digits). */
export function isAddressLike(value: unknown): value is `0x${string}` {
  return typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value)
}

/** The RPC form of a KeyMarket listing. */
export function listingInfo(
  l: Awaited<ReturnType<typeof getListing>>,
  listingId: bigint,
): KeyListing {
  return {
    cardId: l.cardId,
    listingId: listingId.toString(),
    creator: l.creator,
    price: l.price.toString(),
    supply: l.supply,
    minted: l.minted,
    refunded: l.refunded,
    royaltyBps: l.royaltyBps,
    transferFee: l.transferFee.toString(),
    keyAgent: l.keyAgent,
  }
}

const delays = new WeakMap<ChainContext, Promise<number>>()

/** The KeyMarket's refund delay (`DELIVERY_TIMEOUT`) in seconds, read once per chain context. */
export function refundDelay(chain: ChainContext): Promise<number> {
  let d = delays.get(chain)
  if (!d) {
    d = chain.publicClient
      .readContract({
        address: chain.contracts.keyMarket,
        abi: keyMarketAbi,
        functionName: 'DELIVERY_TIMEOUT',
      })
      .then(Number)
    delays.set(chain, d)
  }
  return d
}

/** The creator's listings (from `Listed` logs), sales, owed deliveries and revenue. */
export async function creatorSales(s: KeysSession): Promise<CreatorSales> {
  const me = s.chain.account.address
  const fromBlock = BigInt(s.config.deployBlock)
  const [listedLogs, claimedLogs, deliveredLogs, claimable] = await Promise.all([
    s.chain.publicClient.getLogs({
      address: s.chain.contracts.keyMarket,
      event: keyMarketAbi.find((e) => e.type === 'event' && e.name === 'Listed') as never,
      args: { creator: me } as never,
      fromBlock,
    }),
    s.chain.publicClient.getLogs({
      address: s.chain.contracts.keyMarket,
      event: keyMarketAbi.find((e) => e.type === 'event' && e.name === 'Claimed') as never,
      args: { account: me } as never,
      fromBlock,
    }),
    s.chain.publicClient.getLogs({
      address: s.chain.contracts.keyMarket,
      event: keyMarketAbi.find((e) => e.type === 'event' && e.name === 'KeyDelivered') as never,
      fromBlock,
    }),
    getOwed(s.chain, { account: me, from: 'keyMarket' }),
  ])
  const listed = parseEventLogs({ abi: keyMarketAbi, logs: listedLogs, eventName: 'Listed' })
  const claimed = parseEventLogs({ abi: keyMarketAbi, logs: claimedLogs, eventName: 'Claimed' })
  const delivered = parseEventLogs({
    abi: keyMarketAbi,
    logs: deliveredLogs,
    eventName: 'KeyDelivered',
  })
  const mine = new Set(listed.map((l) => l.args.listingId))
  const listings = await Promise.all(
    listed.map(async (l) => {
      const info = listingInfo(
        await getListing(s.chain, { cardId: l.args.cardId }),
        l.args.listingId,
      )
      return { ...info, sold: info.minted - info.refunded }
    }),
  )
  return {
    listings,
    owed: [...s.agent.waiting.values()].map((r) => ({
      tokenId: r.tokenId.toString(),
      cardId: r.cardId,
      reason: 'unknown-card',
    })),
    delivered: delivered.filter((d) => mine.has(d.args.tokenId >> 64n)).length,
    claimable: claimable.toString(),
    claimed: claimed.reduce((n, c) => n + c.args.amount, 0n).toString(),
  }
}

type WalletMethod = Extract<keyof RpcMethods, `wallet.${string}`>
export type WalletHandlers = {
  [M in WalletMethod]: (p: RpcParams<M>, ctx: RpcContext) => Promise<RpcResult<M>>
}

/** The `wallet.*` handlers over the account (who acts on-chain). */
export function createWalletHandlers(account: AccountService): WalletHandlers {
  return {
    'wallet.state': async () => {
      const s = await account.context().catch(() => null)
      if (!s) return null
      const me = s.chain.account.address
      const [balance, owed, delay] = await Promise.all([
        s.chain.publicClient.getBalance({ address: me }),
        getOwed(s.chain, { account: me, from: 'keyMarket' }),
        refundDelay(s.chain),
      ])
      return {
        address: me,
        chainId: s.config.chainId,
        balance: balance.toString(),
        owed: owed.toString(),
        faucet: s.config.chainId === DEV_CHAIN_ID,
        refundDelay: delay,
        external: account.usesExternal,
        attached: !account.usesExternal || account.bridge.attached,
      }
    },
    'wallet.useExternal': async (p) => {
      if (!/^0x[0-9a-fA-F]{40}$/.test(p.address) || !/^0x[0-9a-fA-F]{130}$/.test(p.signature))
        throw new InvalidInputError('Expected an address and a 65-byte signature.')
      return account.useExternal(p.address, p.signature)
    },
    'wallet.attach': async (p) => {
      if (!isAddressLike(p.address)) throw new InvalidInputError('Expected an address.')
      account.attachExternal(p.address)
      return undefined
    },
    'wallet.useEmbedded': async () => {
      await account.useEmbedded()
      return undefined
    },
    'wallet.reply': async (p) => {
      account.bridge.reply(p.id, p.result, p.error, typeof p.code === 'number' ? p.code : undefined)
      return undefined
    },
    'wallet.claim': async (_p, { signal, confirm }) => {
      const s = await account.require()
      const amount = await getOwed(s.chain, { account: s.chain.account.address, from: 'keyMarket' })
      const res = await claimOwed(s.chain, { from: 'keyMarket', signal, confirm })
      return { hash: res.hash, amount: amount.toString() }
    },
  }
}
