/**
 * What the payments UI says when a `pay.*` call fails. Errors arrive rebuilt into the
 * `BaseError` family (src/shared/errors/wire.ts) and are matched by class, never by name:
 * "nothing to do" outcomes read as information, the rest as errors with a next step.
 */
import {
  ChainRequestError,
  EmptyChequebookError,
  NothingToCashError,
  NothingToClaimError,
  NoWithdrawAnnouncedError,
  WithdrawLockedError,
} from '../../shared/errors/chain.ts'
import { AbortedError } from '../../shared/errors/common.ts'
import { ExternalWalletError } from '../../shared/errors/wallet.ts'
import { errorText } from '../lib/action.svelte.ts'

export type Outcome = { tone: 'info' | 'error'; text: string }

/**
 * The message for a failed call, or null when there is nothing to say (it was cancelled).
 * @example describePayError(new NothingToClaimError('…')) // { tone: 'info', text: 'Nothing to claim yet.' }
 */
export function describePayError(err: unknown): Outcome | null {
  if (err instanceof AbortedError) return null
  if (err instanceof NothingToClaimError) return { tone: 'info', text: 'Nothing to claim yet.' }
  if (err instanceof NothingToCashError)
    return { tone: 'info', text: 'Nothing to cash: every cheque is cashed already.' }
  const text = errorText(err)
  if (err instanceof WithdrawLockedError)
    return { tone: 'error', text: `${text} Withdraw once the countdown ends.` }
  if (err instanceof NoWithdrawAnnouncedError)
    return { tone: 'error', text: 'Announce a withdrawal first: it unlocks after the time lock.' }
  if (err instanceof EmptyChequebookError)
    return { tone: 'error', text: 'Your chequebook is empty: deposit first.' }
  if (err instanceof ExternalWalletError)
    return { tone: 'error', text: `Your browser wallet did not sign: ${text}` }
  if (err instanceof ChainRequestError)
    return {
      tone: 'error',
      text: `The chain refused the transaction: ${text} Check that the paying account holds the amount and its gas.`,
    }
  return { tone: 'error', text }
}
