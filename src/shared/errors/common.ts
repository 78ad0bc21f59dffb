/** Errors every domain uses: cancellation, deadlines, bad input, the unexpected. */
import { BaseError, type BaseErrorParameters } from './base.ts'

/**
 * An operation was cancelled through its `AbortSignal`.
 * @example throw new AbortedError('The backup was cancelled.')
 */
export class AbortedError extends BaseError {
  override name = 'AbortedError' as const
  constructor(shortMessage = 'The operation was cancelled.', params: BaseErrorParameters = {}) {
    super(shortMessage, params)
  }
}

/**
 * A wait that had a deadline ran past it.
 * @example new TimeoutError(`Slice ${i} did not finish within ${ms} ms.`)
 */
export class TimeoutError extends BaseError {
  override name = 'TimeoutError' as const
}

/** Input from outside (a peer, the relay, the chain, a file) failed validation. */
export class InvalidInputError extends BaseError {
  override name = 'InvalidInputError' as const
}

/** Anything the node did not expect; the node keeps running. */
export class InternalError extends BaseError {
  override name = 'InternalError' as const
}
