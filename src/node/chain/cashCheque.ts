import { type Hex, parseEventLogs } from 'viem'
import { InternalError } from '../../shared/errors/common.ts'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { chequebookAbi } from './abi.ts'
import type { Cheque } from './cheque.ts'
import type { ChainContext } from './clients.ts'

export type CashChequeParameters = WriteOptions & { cheque: Cheque; signature: Hex }
export type CashChequeReturnType = WriteResult & {
  /** Wei taken from the payer's book (capped by its balance). */
  amount: bigint
  /** Part of `amount` owed to the card's creator. */
  royalty: bigint
}

/**
 * Cashes a cheque: pays `cumulative − alreadyPaid` (capped by the payer's balance), split
 * between payee and creator. Throws `ChequeSignatureError`, `NothingToCashError`,
 * `EmptyChequebookError`, `UnknownCardError`.
 * @example const { amount } = await cashCheque(ctx, { cheque, signature })
 */
export async function cashCheque(
  ctx: ChainContext,
  params: CashChequeParameters,
): Promise<CashChequeReturnType> {
  const res = await writeAndWait(
    ctx,
    {
      address: ctx.contracts.chequebook,
      abi: chequebookAbi,
      functionName: 'cash',
      args: [params.cheque, params.signature],
    },
    params,
  )
  const [cashed] = parseEventLogs({
    abi: chequebookAbi,
    logs: res.receipt.logs,
    eventName: 'ChequeCashed',
  })
  if (!cashed) throw new InternalError('Cashing emitted no ChequeCashed event.')
  return { ...res, amount: cashed.args.amount, royalty: cashed.args.royalty }
}
