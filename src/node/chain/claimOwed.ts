import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { chequebookAbi, keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type ClaimOwedParameters = WriteOptions & {
  /** Which contract holds the money: key sales and fees, or cheque royalties. */
  from: 'keyMarket' | 'chequebook'
}

/**
 * Takes everything a contract owes the caller (pull payment). Throws `NothingToClaimError`.
 * @example await claimOwed(ctx, { from: 'keyMarket' })
 */
export async function claimOwed(
  ctx: ChainContext,
  params: ClaimOwedParameters,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    params.from === 'keyMarket'
      ? { address: ctx.contracts.keyMarket, abi: keyMarketAbi, functionName: 'claim', args: [] }
      : { address: ctx.contracts.chequebook, abi: chequebookAbi, functionName: 'claim', args: [] },
    params,
  )
}
