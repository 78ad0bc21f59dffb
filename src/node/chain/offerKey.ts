import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type OfferKeyParameters = WriteOptions & {
  tokenId: bigint
  /** Asking price in wei; `0n` withdraws the offer. */
  price: bigint
}

/**
 * Offers a key for resale at a fixed price (or withdraws the offer with price 0). Owner only.
 * @example await offerKey(ctx, { tokenId, price: parseEther('0.02') })
 */
export async function offerKey(
  ctx: ChainContext,
  params: OfferKeyParameters,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    params.price === 0n
      ? {
          address: ctx.contracts.keyMarket,
          abi: keyMarketAbi,
          functionName: 'cancelOffer',
          args: [params.tokenId],
        }
      : {
          address: ctx.contracts.keyMarket,
          abi: keyMarketAbi,
          functionName: 'offer',
          args: [params.tokenId, params.price],
        },
    params,
  )
}
