import {
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
  NonceTooLowError,
  parseAbi,
  UserRejectedRequestError,
  BaseError as ViemBaseError,
  InsufficientFundsError as ViemInsufficientFundsError,
} from 'viem'
import { describe, expect, it } from 'vitest'
import {
  ChainRequestError,
  ChainUnreachableError,
  ContractRevertError,
  DuplicateCardError,
  InsufficientFundsError,
  NonceError,
  UserRejectedError,
  WrongPaymentError,
} from '../../shared/errors/chain.ts'
import { AbortedError } from '../../shared/errors/common.ts'
import { registerAllErrors } from '../../shared/errors/registry.ts'
import { ExternalWalletError } from '../../shared/errors/wallet.ts'
import { deserializeError, serializeError } from '../../shared/errors/wire.ts'
import { cardRegistryAbi } from './abi.ts'
import { decodeChainError } from './errors.ts'

/** As viem throws them: the node's error wrapped in an action's error. */
const wrapped = (inner: Error) => new ViemBaseError('Sending failed.', { cause: inner })

registerAllErrors()

describe('chain errors', () => {
  it('survive postMessage as the same class', () => {
    const err = new WrongPaymentError('The payment must be exactly 5 wei (sent 4).', {
      details: 'WrongPayment(5, 4)',
    })
    const back = deserializeError(structuredClone(serializeError(err)))
    expect(back).toBeInstanceOf(WrongPaymentError)
    expect(back.name).toBe('WrongPaymentError')
    expect(back.shortMessage).toBe(err.shortMessage)
    expect(back.details).toBe('WrongPayment(5, 4)')
    expect(deserializeError(serializeError(new ContractRevertError('x')))).toBeInstanceOf(
      ContractRevertError,
    )
  })

  it('leave errors of the family alone and map aborts', () => {
    const dup = new DuplicateCardError('dup')
    expect(decodeChainError(dup)).toBe(dup)
    const abort = new Error('stop')
    abort.name = 'AbortError'
    expect(decodeChainError(abort)).toBeInstanceOf(AbortedError)
    expect(decodeChainError('boom')).toMatchObject({
      name: 'ChainRequestError',
      shortMessage: 'boom',
    })
  })

  it('map the common failures of sending to one class each, wherever viem nests them', () => {
    const funds = decodeChainError(wrapped(new ViemInsufficientFundsError()))
    expect(funds).toBeInstanceOf(InsufficientFundsError)
    // The raw "total cost (gas * gas fee + value)" text stays in the details only.
    expect(funds.shortMessage).not.toMatch(/gas \*/)
    expect(funds.details).toMatch(/total cost/)
    expect(decodeChainError(wrapped(new NonceTooLowError({ nonce: 3 })))).toBeInstanceOf(NonceError)
    expect(
      decodeChainError(wrapped(new UserRejectedRequestError(new Error('User rejected.')))),
    ).toBeInstanceOf(UserRejectedError)
    expect(
      decodeChainError(
        wrapped(new HttpRequestError({ url: 'http://127.0.0.1:1', details: 'fetch failed' })),
      ),
    ).toBeInstanceOf(ChainUnreachableError)
    expect(decodeChainError(wrapped(new ViemBaseError('odd')))).toBeInstanceOf(ChainRequestError)
  })

  it('keep an error of the family found inside the chain of causes (a wallet refusal)', () => {
    const refusal = new ExternalWalletError('The wallet refused: locked')
    expect(decodeChainError(wrapped(refusal))).toBe(refusal)
  })

  it('decode a custom error into its class and a revert reason into a sentence', () => {
    const dup = new ContractFunctionRevertedError({
      abi: cardRegistryAbi,
      functionName: 'post',
      data: encodeErrorResult({
        abi: cardRegistryAbi,
        errorName: 'DuplicateCard',
        args: [`0x${'11'.repeat(32)}`],
      }),
    })
    expect(decodeChainError(wrapped(dup))).toBeInstanceOf(DuplicateCardError)
    const reason = new ContractFunctionRevertedError({
      abi: parseAbi(['function f()']),
      functionName: 'f',
      data: encodeErrorResult({
        abi: parseAbi(['error Error(string)']),
        errorName: 'Error',
        args: ['paused'],
      }),
    })
    const decoded = decodeChainError(wrapped(reason))
    expect(decoded).toBeInstanceOf(ContractRevertError)
    expect(decoded.shortMessage).toBe('The contract refused the transaction: paused.')
  })
})
