/**
 * Internal: simulate → (confirm) → send → wait for the receipt, with reverts decoded into typed
 * errors. Simulating first surfaces the contract's custom error before any gas is spent; a
 * spend the person must confirm is asked only once it would go through.
 */
import type { Abi, Address, Hex, TransactionReceipt } from 'viem'
import {
  ContractRevertError,
  InsufficientFundsError,
  UserRejectedError,
} from '../../shared/errors/chain.ts'
import { AbortedError } from '../../shared/errors/common.ts'
import type {
  ConfirmSpend,
  SpendContract,
  SpendQuote,
} from '../../shared/protocol/methods/spend.ts'
import type { ChainContext } from './clients.ts'
import { decodeChainError } from './errors.ts'

/** What every write operation accepts besides its own parameters. */
export type WriteOptions = {
  /** Stops waiting (a sent transaction cannot be recalled; it may still be mined). */
  signal?: AbortSignal | undefined
  /**
   * Asks the person before sending, with the price, the fee estimate and the balance (see
   * {@link quoteWrite}); declined, nothing is sent and `UserRejectedError` is thrown. Given by
   * the RPC server for requests the page made with `confirm`; the node's own transactions
   * (deliveries, automatic cash-outs) have none.
   */
  confirm?: ConfirmSpend | undefined
  /** Runs once the transaction is accepted by the RPC endpoint, before it is mined. */
  onSent?: ((hash: Hex) => void | Promise<void>) | undefined
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

/**
 * What sending `req` from `ctx.account` would cost: its value, the gas estimate times the
 * chain's gas price, and the account's balance. InsufficientFundsError when the balance cannot
 * cover value and fee (nothing to ask then: it would fail).
 */
export async function quoteWrite(ctx: ChainContext, req: WriteRequest): Promise<SpendQuote> {
  const from = ctx.account.address
  const [gas, gasPrice, balance] = await Promise.all([
    ctx.publicClient.estimateContractGas({ ...req, account: ctx.account } as Parameters<
      typeof ctx.publicClient.estimateContractGas
    >[0]),
    ctx.publicClient.getGasPrice(),
    ctx.publicClient.getBalance({ address: from }),
  ])
  const value = req.value ?? 0n
  const fee = gas * gasPrice
  if (balance < value + fee)
    throw new InsufficientFundsError('The account cannot pay the amount and the gas.', {
      details: `needs ${value + fee} wei (value ${value}, fee ${fee}), holds ${balance} wei`,
    })
  return {
    contract: contractOf(ctx, req.address),
    action: req.functionName,
    value: value.toString(),
    gas: gas.toString(),
    gasPrice: gasPrice.toString(),
    fee: fee.toString(),
    from,
    balance: balance.toString(),
  }
}

function contractOf(ctx: ChainContext, address: Address): SpendContract {
  const a = address.toLowerCase()
  for (const name of ['cardRegistry', 'keyMarket', 'chequebook'] as const)
    if (ctx.contracts[name].toLowerCase() === a) return name
  return 'other'
}

/** Sends a contract call from `ctx.account` and waits until it is mined. */
export async function writeAndWait(
  ctx: ChainContext,
  req: WriteRequest,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const { signal, confirm } = options
  if (signal?.aborted) throw new AbortedError('Sending the transaction was cancelled.')
  let hash: Hex
  try {
    const { request } = await ctx.publicClient.simulateContract({
      ...req,
      account: ctx.account,
    } as Parameters<typeof ctx.publicClient.simulateContract>[0])
    signal?.throwIfAborted()
    if (confirm) {
      if (!(await confirm(await quoteWrite(ctx, req))))
        throw new UserRejectedError('Cancelled: nothing was sent.')
      signal?.throwIfAborted()
    }
    hash = await ctx.walletClient.writeContract(
      request as Parameters<typeof ctx.walletClient.writeContract>[0],
    )
  } catch (err) {
    if (signal?.aborted) throw new AbortedError('Sending the transaction was cancelled.')
    throw decodeChainError(err)
  }
  await options.onSent?.(hash)
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
