import { type Hex, keccak256, toHex } from 'viem'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { cardRegistryAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type PostCardParameters = WriteOptions & {
  /** The encoded card (1 to 4096 bytes). */
  card: Uint8Array | Hex
}
export type PostCardReturnType = WriteResult & { cardId: Hex }

/**
 * Posts a card to the CardRegistry; the id is keccak256 of its bytes (DESIGN §2).
 * Throws `DuplicateCardError`, `CardSizeError`.
 * @example const { cardId } = await postCard(ctx, { card: encodedCard })
 */
export async function postCard(
  ctx: ChainContext,
  params: PostCardParameters,
): Promise<PostCardReturnType> {
  const card = typeof params.card === 'string' ? params.card : toHex(params.card)
  const res = await writeAndWait(
    ctx,
    {
      address: ctx.contracts.cardRegistry,
      abi: cardRegistryAbi,
      functionName: 'post',
      args: [card],
    },
    params,
  )
  return { ...res, cardId: keccak256(card) }
}
