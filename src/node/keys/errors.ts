import { BaseError, registerErrors } from '../../shared/errors.ts'

/** The node has no chain configured (`config.chain` is null) or no identity yet. */
export class KeysUnavailableError extends BaseError {
  override name = 'KeysUnavailableError' as const
}

/** This identity holds no key for the card (not bought, not delivered yet, or sold). */
export class NoContentKeyError extends BaseError {
  override name = 'NoContentKeyError' as const
}

registerErrors({ KeysUnavailableError, NoContentKeyError })
