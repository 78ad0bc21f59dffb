/** Errors of the personal node: settings, budgets and eviction, availability (DESIGN §4.7). */
import { BaseError } from './base.ts'

/**
 * A settings value (from the page or from storage) is out of range or of the wrong shape.
 * `details` names the field and what was expected.
 * @example new SeedSettingsError('The upload cap must be at least 16 KiB/s.', { details: 'uploadBytesPerSec: got 10' })
 */
export class SeedSettingsError extends BaseError {
  override name = 'SeedSettingsError' as const
}

/**
 * Even evicting everything that may be evicted (and everything the user could be asked about)
 * would not make room within the storage budget; nothing was evicted.
 */
export class StorageBudgetError extends BaseError {
  override name = 'StorageBudgetError' as const
}

/** An availability summary did not parse: wrong version, size, order or non-canonical field. */
export class AvailabilityCodecError extends BaseError {
  override name = 'AvailabilityCodecError' as const
}
