import { type Hex, isAddressEqual, parseEventLogs } from 'viem'
import { InternalError, InvalidInputError } from '../../shared/errors/common.ts'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { chequebookAbi } from './abi.ts'
import type { Cheque } from './cheque.ts'
import type { ChainContext } from './clients.ts'

/** Why the contract skipped an entry (`Chequebook.Skip`, in its order). */
export const skipReasons = [
  'None',
  'UnknownCard',
  'InvalidSignature',
  'NothingToCash',
  'EmptyChequebook',
  'AmountTooLarge',
] as const
export type SkipReason = Exclude<(typeof skipReasons)[number], 'None'>

/** Most entries one batch may carry: 20 cheques cost ≈ 0.5 M gas, 200 stay far below a block. */
export const maxBatchSize = 200

export type CashChequeBatchParameters = WriteOptions & {
  entries: readonly { cheque: Cheque; signature: Hex }[]
}
export type CashChequeBatchReturnType = WriteResult & {
  /** Wei taken from the payers' books over the whole batch. */
  total: bigint
  /** Entries that paid, by their index in `entries`. */
  cashed: { index: number; amount: bigint; royalty: bigint }[]
  /** Entries that paid nothing, and why. */
  skipped: { index: number; reason: SkipReason }[]
}

/**
 * Cashes many cheques in one transaction (`Chequebook.cashBatch`). Each entry is paid and split
 * exactly as {@link cashCheque} would; entries that would revert there are skipped and reported
 * in `skipped` instead, so a stale or bad cheque never blocks the others.
 * @example const { cashed, skipped } = await cashChequeBatch(ctx, { entries })
 */
export async function cashChequeBatch(
  ctx: ChainContext,
  params: CashChequeBatchParameters,
): Promise<CashChequeBatchReturnType> {
  const n = params.entries.length
  if (n === 0) throw new InvalidInputError('A batch needs at least one cheque.')
  if (n > maxBatchSize)
    throw new InvalidInputError(`A batch holds at most ${maxBatchSize} cheques (got ${n}).`)
  const res = await writeAndWait(
    ctx,
    {
      address: ctx.contracts.chequebook,
      abi: chequebookAbi,
      functionName: 'cashBatch',
      args: [params.entries.map((e) => e.cheque), params.entries.map((e) => e.signature)],
    },
    params,
  )
  // Only the chequebook's own logs: a payee contract could emit look-alike events.
  const logs = res.receipt.logs.filter((l) => isAddressEqual(l.address, ctx.contracts.chequebook))
  const events = parseEventLogs({ abi: chequebookAbi, logs }).sort(
    (a, b) => a.logIndex - b.logIndex,
  )
  const skipped: CashChequeBatchReturnType['skipped'] = []
  for (const e of events) {
    if (e.eventName !== 'ChequeSkipped') continue
    const reason = skipReasons[e.args.reason]
    if (reason === undefined || reason === 'None')
      throw new InternalError(`Unknown skip reason ${e.args.reason}.`)
    skipped.push({ index: Number(e.args.index), reason })
  }
  // The contract emits one ChequeCashed per paid entry, in entry order, so the n-th event
  // belongs to the n-th entry that was not skipped.
  const skippedAt = new Set(skipped.map((s) => s.index))
  const paidIndexes = params.entries.map((_, i) => i).filter((i) => !skippedAt.has(i))
  const cashedEvents = events.filter((e) => e.eventName === 'ChequeCashed')
  if (cashedEvents.length !== paidIndexes.length)
    throw new InternalError('The batch emitted an unexpected number of ChequeCashed events.')
  const cashed = cashedEvents.map((e, k) => ({
    index: paidIndexes[k] as number,
    amount: e.args.amount,
    royalty: e.args.royalty,
  }))
  const total = cashed.reduce((sum, c) => sum + c.amount, 0n)
  return { ...res, total, cashed, skipped }
}
