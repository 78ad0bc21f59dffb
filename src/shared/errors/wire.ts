/**
 * Errors cross `postMessage` as {@link SerializedError} and are rebuilt with
 * {@link deserializeError} from this realm's registry, so a failure in the node worker arrives in
 * the page or the Service Worker as the same class. Each realm fills its registry once, with
 * `registerAllErrors()` (registry.ts).
 */
import { BaseError, type ErrorClass } from './base.ts'
import { AbortedError } from './common.ts'

/** The wire form of an error; `name` selects the class on the receiving side. */
export type SerializedError = {
  name: string
  shortMessage: string
  details?: string | undefined
  /** The error's {@link BaseError.data}, when it has some. */
  data?: Readonly<Record<string, unknown>> | undefined
}

const registry = new Map<string, ErrorClass>()

/**
 * Adds classes to this realm's registry (`registerAllErrors` adds every class of the app).
 * @example registerErrors({ CardCodecError, SliceCorruptError })
 */
export function registerErrors(classes: Record<string, ErrorClass>): void {
  for (const [name, cls] of Object.entries(classes)) registry.set(name, cls)
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof BaseError)
    return {
      name: err.name,
      shortMessage: err.shortMessage,
      details: err.details,
      ...(err.data === undefined ? {} : { data: err.data }),
    }
  if (err instanceof Error && err.name === 'AbortError')
    return { name: 'AbortedError', shortMessage: new AbortedError().shortMessage }
  if (err instanceof Error) return { name: 'InternalError', shortMessage: err.message }
  return { name: 'InternalError', shortMessage: String(err) }
}

export function deserializeError(wire: SerializedError): BaseError {
  const cls = registry.get(wire.name) ?? BaseError
  const data =
    typeof wire.data === 'object' && wire.data !== null && !Array.isArray(wire.data)
      ? wire.data
      : undefined
  const err = new cls(wire.shortMessage, { details: wire.details, data })
  // Keep the sender's name even for classes this side does not know.
  if (!registry.has(wire.name)) err.name = wire.name
  return err
}
