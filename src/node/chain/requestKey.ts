import type { Hex } from 'viem'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type RequestKeyParameters = WriteOptions & { tokenId: bigint; wrapPub: Hex }

/**
 * Asks the key agent (again) for the content key, e.g. after receiving the token. Owner only,
 * free. Throws `NotTokenOwnerError`.
 * @example await requestKey(ctx, { tokenId, wrapPub })
 */
export async function requestKey(
  ctx: ChainContext,
  params: RequestKeyParameters,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'requestKey',
      args: [params.tokenId, params.wrapPub],
    },
    params,
  )
}
