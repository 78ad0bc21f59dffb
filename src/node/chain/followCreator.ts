import type { Address } from 'viem'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { cardRegistryAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type FollowCreatorParameters = WriteOptions & {
  creator: Address
  /** `false` unfollows. Default `true`. */
  follow?: boolean
}

/**
 * Follows (or unfollows) a creator; an event only, the follow graph is the indexer's.
 * @example await followCreator(ctx, { creator })
 */
export async function followCreator(
  ctx: ChainContext,
  params: FollowCreatorParameters,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.cardRegistry,
      abi: cardRegistryAbi,
      functionName: params.follow === false ? 'unfollow' : 'follow',
      args: [params.creator],
    },
    params,
  )
}
