import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type RefundKeyParameters = WriteOptions & { tokenId: bigint }

/**
 * Burns an undelivered key after the delivery timeout and takes the escrow back. Owner only.
 * Throws `NotTokenOwnerError`, `NothingToRefundError`, `RefundTooEarlyError`.
 * @example await refundKey(ctx, { tokenId })
 */
export async function refundKey(
  ctx: ChainContext,
  params: RefundKeyParameters,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'refund',
      args: [params.tokenId],
    },
    params,
  )
}
