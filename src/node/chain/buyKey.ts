import { type Hex, parseEventLogs } from 'viem'
import { InternalError } from '../../shared/errors/common.ts'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'
import { getListing } from './reads.ts'

export type BuyKeyParameters = WriteOptions & {
  cardId: Hex
  /** The buyer's X25519 wrap public key (32 bytes) the key agent seals the content key to. */
  wrapPub: Hex
  /** Wei to pay; default: the listing's price, read from the chain. */
  value?: bigint
}
export type BuyKeyReturnType = WriteResult & { tokenId: bigint }

/**
 * Buys a key token: pays the price into escrow and requests delivery.
 * Throws `NotListedError`, `WrongPaymentError`, `SoldOutError`.
 * @example const { tokenId } = await buyKey(ctx, { cardId, wrapPub })
 */
export async function buyKey(
  ctx: ChainContext,
  params: BuyKeyParameters,
): Promise<BuyKeyReturnType> {
  const value = params.value ?? (await getListing(ctx, { cardId: params.cardId })).price
  const res = await writeAndWait(
    ctx,
    {
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'buy',
      args: [params.cardId, params.wrapPub],
      value,
    },
    params,
  )
  const [requested] = parseEventLogs({
    abi: keyMarketAbi,
    logs: res.receipt.logs,
    eventName: 'KeyRequested',
  })
  if (!requested) throw new InternalError('The purchase emitted no KeyRequested event.')
  return { ...res, tokenId: requested.args.tokenId }
}
