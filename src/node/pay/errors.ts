/**
 * Errors of paying per slice, registered so they reach the UI as the same classes.
 */
import { BaseError, registerErrors } from '../../shared/errors.ts'

/** A spending cap (per item or per day) would be passed: paid fetching stops, free peers go on. */
export class SpendingCapError extends BaseError {
  override name = 'SpendingCapError' as const
}

/** The ledger would go backwards (sign or record less than before): refused to keep cheques monotonic. */
export class LedgerRegressionError extends BaseError {
  override name = 'LedgerRegressionError' as const
}

registerErrors({ SpendingCapError, LedgerRegressionError })
