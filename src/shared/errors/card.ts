/** Errors of the hash-card format (src/shared/card/). */
import { BaseError } from './base.ts'

/** A card's bytes failed to parse or validate; `details` names the field and the problem. */
export class CardCodecError extends BaseError {
  override name = 'CardCodecError' as const
}
