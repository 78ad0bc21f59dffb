/** Errors of access to content: content keys and the keys service (src/node/keys/). */
import { BaseError } from './base.ts'

/**
 * This node holds no content key for the item or card: not bought, not delivered yet, sold on,
 * or the card was never registered.
 */
export class NoContentKeyError extends BaseError {
  override name = 'NoContentKeyError' as const
}

/** The node has no chain configured (`config.chain` is null) or no identity yet. */
export class KeysUnavailableError extends BaseError {
  override name = 'KeysUnavailableError' as const
}
