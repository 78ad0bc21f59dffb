import type { Hex } from 'viem'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type DeliverKeyParameters = WriteOptions & {
  tokenId: bigint
  /** The content key sealed (HPKE) to the requester's wrap key; only emitted, never stored. */
  wrappedKey: Hex | Uint8Array
}

/**
 * Answers a key request as the listing's key agent; the first delivery releases the escrow.
 * Throws `NotKeyAgentError`, `NoPendingRequestError`.
 * @example await deliverKey(agentCtx, { tokenId, wrappedKey })
 */
export async function deliverKey(
  ctx: ChainContext,
  params: DeliverKeyParameters,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'deliver',
      args: [params.tokenId, params.wrappedKey],
    },
    params,
  )
}
