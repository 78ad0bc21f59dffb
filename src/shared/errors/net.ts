/** Errors of the node's network runtime (src/node/net/). */
import { BaseError } from './base.ts'

/** The network is (re)starting; the request can be retried in a moment (not thrown today). */
export class NodeStartingError extends BaseError {
  override name = 'NodeStartingError' as const
}
