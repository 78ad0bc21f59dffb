import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { chequebookAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type DepositToChequebookParameters = WriteOptions & { value: bigint }

/**
 * Adds ether to the caller's chequebook, which backs the cheques it signs.
 * @example await depositToChequebook(ctx, { value: parseEther('0.1') })
 */
export async function depositToChequebook(
  ctx: ChainContext,
  params: DepositToChequebookParameters,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.chequebook,
      abi: chequebookAbi,
      functionName: 'deposit',
      args: [],
      value: params.value,
    },
    params,
  )
}
