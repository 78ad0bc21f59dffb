import type { Hex } from 'viem'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'
import { getListingOfToken, getOffer } from './reads.ts'

export type BuyOfferedKeyParameters = WriteOptions & {
  tokenId: bigint
  /** The buyer's wrap key; a key request is opened with it. */
  wrapPub: Hex
}

/**
 * Buys a key offered for resale: pays the offer price plus the transfer fee; the creator gets
 * the royalty and the fee. Throws `NoOfferError`, `WrongPaymentError`.
 * @example await buyOfferedKey(ctx, { tokenId, wrapPub })
 */
export async function buyOfferedKey(
  ctx: ChainContext,
  params: BuyOfferedKeyParameters,
): Promise<WriteResult> {
  const [offer, listing] = await Promise.all([
    getOffer(ctx, { tokenId: params.tokenId }),
    getListingOfToken(ctx, { tokenId: params.tokenId }),
  ])
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'buyOffered',
      args: [params.tokenId, params.wrapPub],
      value: offer.price + listing.transferFee,
    },
    params,
  )
}
