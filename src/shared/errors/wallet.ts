/** Errors of the page's external (EIP-1193) wallet (src/node/keys/external.ts). */
import { BaseError } from './base.ts'

/** The page's wallet refused or failed a request. */
export class ExternalWalletError extends BaseError {
  override name = 'ExternalWalletError' as const
}
