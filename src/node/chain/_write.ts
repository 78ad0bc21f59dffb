/**
 * Internal: simulate → send → wait for the receipt, with reverts decoded into typed errors.
 * Simulating first surfaces the contract's custom error before any gas is spent.
 */
import type { Abi, Address, Hex, TransactionReceipt } from 'viem'
import { ContractRevertError } from '../../shared/errors/chain.ts'
import { AbortedError } from '../../shared/errors/common.ts'
import type { ChainContext } from './clients.ts'
import { decodeChainError } from './errors.ts'

/** What every write operation accepts besides its own parameters. */
export type WriteOptions = {
  /** Stops waiting (a sent transaction cannot be recalled; it may still be mined). */
  signal?: AbortSignal
}

/** A mined, successful transaction. */
export type WriteResult = { hash: Hex; receipt: TransactionReceipt }

export type WriteRequest = {
  address: Address
  abi: Abi
  functionName: string
  args: readonly unknown[]
  value?: bigint
}

/** Sends a contract call from `ctx.account` and waits until it is mined. */
export async function writeAndWait(
  ctx: ChainContext,
  req: WriteRequest,
  signal: AbortSignal | undefined,
): Promise<WriteResult> {
  if (signal?.aborted) throw new AbortedError('Sending the transaction was cancelled.')
  let hash: Hex
  try {
    const { request } = await ctx.publicClient.simulateContract({
      ...req,
      account: ctx.account,
    } as Parameters<typeof ctx.publicClient.simulateContract>[0])
    signal?.throwIfAborted()
    hash = await ctx.walletClient.writeContract(
      request as Parameters<typeof ctx.walletClient.writeContract>[0],
    )
  } catch (err) {
    if (signal?.aborted) throw new AbortedError('Sending the transaction was cancelled.')
    throw decodeChainError(err)
  }
  const receipt = await abortable(
    ctx.publicClient.waitForTransactionReceipt({ hash }),
    signal,
  ).catch((err: unknown) => {
    throw decodeChainError(err)
  })
  if (receipt.status !== 'success') {
    throw new ContractRevertError('The transaction was reverted on-chain.', { details: hash })
  }
  return { hash, receipt }
}

/** Races `promise` against `signal`; rejects with {@link AbortedError} on abort. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(new AbortedError())
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError())
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}
