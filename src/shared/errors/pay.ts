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
