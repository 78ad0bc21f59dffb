/**
 * The root of the app's one error family, after viem's `BaseError`: a short message for people,
 * optional details for developers, and a literal `name` that tests and callers match on.
 *
 * Every subclass (the files beside this one, one per domain) keeps this constructor shape,
 * `(shortMessage, { details, cause })`, so the receiving side of a `postMessage` can rebuild it
 * from its wire form (wire.ts).
 */
export type BaseErrorParameters = {
  details?: string | undefined
  cause?: unknown
  /**
   * Facts for programs rather than people (structured-clone safe: plain objects, arrays,
   * strings, numbers, booleans), carried across `postMessage` with the error. A class that
   * uses it reads it back through a checked accessor (e.g. StorageBudgetError's `ask`).
   */
  data?: Readonly<Record<string, unknown>> | undefined
}

export class BaseError extends Error {
  override name = 'BaseError'
  readonly shortMessage: string
  readonly details: string | undefined
  readonly data: Readonly<Record<string, unknown>> | undefined

  constructor(shortMessage: string, params: BaseErrorParameters = {}) {
    super(params.details ? `${shortMessage}\n\nDetails: ${params.details}` : shortMessage, {
      cause: params.cause,
    })
    this.shortMessage = shortMessage
    this.details = params.details
    this.data = params.data
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

/** A class of the family: what the registry (wire.ts) stores and rebuilds. */
export type ErrorClass = new (shortMessage: string, params?: BaseErrorParameters) => BaseError
