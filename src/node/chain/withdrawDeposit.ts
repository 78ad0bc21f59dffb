import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { chequebookAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type AnnounceWithdrawParameters = WriteOptions & { amount: bigint }

/**
 * Announces a withdrawal from the caller's chequebook; it unlocks after the contract's
 * `WITHDRAW_DELAY` (1 day), so payees can cash their cheques first.
 * @example await announceWithdraw(ctx, { amount: parseEther('0.05') })
 */
export async function announceWithdraw(
  ctx: ChainContext,
  params: AnnounceWithdrawParameters,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.chequebook,
      abi: chequebookAbi,
      functionName: 'announceWithdraw',
      args: [params.amount],
    },
    params,
  )
}

/**
 * Withdraws the announced amount once unlocked.
 * Throws `NoWithdrawAnnouncedError`, `WithdrawLockedError`.
 * @example await withdrawDeposit(ctx, {})
 */
export async function withdrawDeposit(
  ctx: ChainContext,
  params: WriteOptions,
): Promise<WriteResult> {
  return writeAndWait(
    ctx,
    { address: ctx.contracts.chequebook, abi: chequebookAbi, functionName: 'withdraw', args: [] },
    params,
  )
}
