/**
 * One error family for the whole app, after viem's `BaseError`: a short message for people,
 * optional details for developers, and a literal `name` that tests and callers match on.
 *
 * Errors cross `postMessage` as {@link SerializedError} and are rebuilt with
 * {@link deserializeError}, so a failure in the node worker arrives in the UI as the same class.
 */
export type BaseErrorParameters = {
  details?: string | undefined
  cause?: unknown
}

export class BaseError extends Error {
  override name = 'BaseError'
  readonly shortMessage: string
  readonly details: string | undefined

  constructor(shortMessage: string, params: BaseErrorParameters = {}) {
    super(params.details ? `${shortMessage}\n\nDetails: ${params.details}` : shortMessage, {
      cause: params.cause,
    })
    this.shortMessage = shortMessage
    this.details = params.details
  }

  /** Walks the `cause` chain and returns the first error matching `fn` (or the deepest). */
  walk(fn?: (err: unknown) => boolean): unknown {
    let err: unknown = this
    while (err instanceof Error) {
      if (fn?.(err)) return err
      if (!err.cause) return fn ? null : err
      err = err.cause
    }
    return fn ? null : err
  }
}

/** An operation was cancelled through its `AbortSignal`. */
export class AbortedError extends BaseError {
  override name = 'AbortedError' as const
  constructor(what = 'The operation') {
    super(`${what} was cancelled.`)
  }
}

/** A wait that had a deadline ran past it. */
export class TimeoutError extends BaseError {
  override name = 'TimeoutError' as const
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms.`)
  }
}

/** Input from outside (a peer, the relay, the chain, a file) failed validation. */
export class InvalidInputError extends BaseError {
  override name = 'InvalidInputError' as const
}

/** Anything the node did not expect; the node keeps running. */
export class InternalError extends BaseError {
  override name = 'InternalError' as const
}

/** The wire form of an error; `name` selects the class on the receiving side. */
export type SerializedError = {
  name: string
  shortMessage: string
  details?: string | undefined
}

type ErrorClass = new (shortMessage: string, params?: BaseErrorParameters) => BaseError
const registry = new Map<string, ErrorClass>()

/**
 * Registers error classes so they survive `postMessage`. Each domain module registers its own.
 * @example registerErrors({ CardCodecError, SliceVerifyError })
 */
export function registerErrors(classes: Record<string, ErrorClass>): void {
  for (const [name, cls] of Object.entries(classes)) registry.set(name, cls)
}
registerErrors({ BaseError, InvalidInputError, InternalError })

export function serializeError(err: unknown): SerializedError {
  if (err instanceof BaseError)
    return { name: err.name, shortMessage: err.shortMessage, details: err.details }
  if (err instanceof Error && err.name === 'AbortError')
    return { name: 'AbortedError', shortMessage: 'The operation was cancelled.' }
  if (err instanceof Error) return { name: 'InternalError', shortMessage: err.message }
  return { name: 'InternalError', shortMessage: String(err) }
}

export function deserializeError(wire: SerializedError): BaseError {
  if (wire.name === 'AbortedError') return new AbortedError()
  const cls = registry.get(wire.name) ?? BaseError
  const err = new cls(wire.shortMessage, { details: wire.details })
  // Keep the sender's name even for classes this side does not know.
  if (!registry.has(wire.name)) err.name = wire.name
  return err
}
