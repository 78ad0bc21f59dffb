import type { Address } from 'viem'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'
import { getListingOfToken } from './reads.ts'

export type TransferKeyParameters = WriteOptions & {
  tokenId: bigint
  to: Address
  /** Default: the caller. */
  from?: Address
}

/**
 * Moves a key token and pays the listing's transfer fee to the creator in the same call
 * (`transferWithFee`). The new owner then calls {@link requestKey}.
 * @example await transferKey(ctx, { tokenId, to: friend })
 */
export async function transferKey(
  ctx: ChainContext,
  params: TransferKeyParameters,
): Promise<WriteResult> {
  const { transferFee } = await getListingOfToken(ctx, { tokenId: params.tokenId })
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'transferWithFee',
      args: [params.from ?? ctx.account.address, params.to, params.tokenId],
      value: transferFee,
    },
    params,
  )
}
