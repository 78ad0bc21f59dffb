/** Errors of paying per slice (src/node/pay/). */
import { BaseError } from './base.ts'

/** A spending cap (per item or per day) would be passed: paid fetching stops, free peers go on. */
export class SpendingCapError extends BaseError {
  override name = 'SpendingCapError' as const
}

/** The ledger would go backwards (sign or record less than before): refused to keep cheques monotonic. */
export class LedgerRegressionError extends BaseError {
  override name = 'LedgerRegressionError' as const
}

/** Paying needs a chain, an identity and an open pay session; one of them is missing. */
export class PayUnavailableError extends BaseError {
  override name = 'PayUnavailableError' as const
}

/** A spending setting is not a whole, non-negative number of wei (the message names it). */
export class SpendingSettingsError extends BaseError {
  override name = 'SpendingSettingsError' as const
}
