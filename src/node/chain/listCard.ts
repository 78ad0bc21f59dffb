import type { Address, Hex } from 'viem'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type ListCardParameters = WriteOptions & {
  cardId: Hex
  /** Price of a key in wei. */
  price: bigint
  /** Keys that may exist at once; 0 = unlimited. */
  supply: number
  /** ERC-2981 royalty on resales, in basis points (≤ 10,000). */
  royaltyBps: number
  /** Wei paid to the creator on every transfer of a key. */
  transferFee: bigint
  /** Who delivers keys (the creator's node or a delegate). */
  keyAgent: Address
}

/**
 * Lists a posted card in the KeyMarket. Creator only, once per card.
 * Throws `NotCreatorError`, `AlreadyListedError`.
 * @example await listCard(ctx, { cardId, price: parseEther('0.01'), supply: 0, royaltyBps: 500, transferFee: 0n, keyAgent })
 */
export async function listCard(
  ctx: ChainContext,
  params: ListCardParameters,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'list',
      args: [
        params.cardId,
        params.price,
        params.supply,
        params.royaltyBps,
        params.transferFee,
        params.keyAgent,
      ],
    },
    params,
  )
}
