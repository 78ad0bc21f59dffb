import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'
import { getListingOfToken } from './reads.ts'

export type PrepayTransferFeeParameters = WriteOptions & { tokenId: bigint }

/**
 * Pays a key's transfer fee in advance, so that one later plain `transferFrom` /
 * `safeTransferFrom` (e.g. by an ERC-721 marketplace) goes through. Anyone may pay.
 * @example await prepayTransferFee(ctx, { tokenId })
 */
export async function prepayTransferFee(
  ctx: ChainContext,
  params: PrepayTransferFeeParameters,
): Promise<WriteResult> {
  const { transferFee } = await getListingOfToken(ctx, { tokenId: params.tokenId })
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'prepayTransferFee',
      args: [params.tokenId],
      value: transferFee,
    },
    params,
  )
}
