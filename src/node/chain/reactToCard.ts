import type { Hex } from 'viem'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { cardRegistryAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type ReactToCardParameters = WriteOptions & {
  cardId: Hex
  /** App-defined reaction kind (0–255). */
  kind: number
}

/**
 * Reacts to a posted card (an event only; indexers count). Throws `UnknownCardError`.
 * @example await reactToCard(ctx, { cardId, kind: 1 })
 */
export async function reactToCard(
  ctx: ChainContext,
  params: ReactToCardParameters,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.cardRegistry,
      abi: cardRegistryAbi,
      functionName: 'react',
      args: [params.cardId, params.kind],
    },
    params,
  )
}
