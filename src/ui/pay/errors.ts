/**
 * What the UI says when a call to the node fails: one plain sentence, and the next step when
 * there is one (`next`). Errors arrive rebuilt into the `BaseError` family
 * (src/shared/errors/wire.ts) and are matched by class, never by name; the node already turned
 * viem's errors into those classes (src/node/chain/errors.ts), so this is the only place that
 * words them. "Nothing to do" outcomes read as information, the rest as errors.
 */
import {
  ChainRequestError,
  ChainUnreachableError,
  EmptyChequebookError,
  InsufficientFundsError,
  NonceError,
  NothingToCashError,
  NothingToClaimError,
  NoWithdrawAnnouncedError,
  UserRejectedError,
  WithdrawLockedError,
} from '../../shared/errors/chain.ts'
import { AbortedError } from '../../shared/errors/common.ts'
import { ExternalWalletError } from '../../shared/errors/wallet.ts'
import { errorText } from '../lib/action.svelte.ts'

/** `faucet`: the dev chain's faucet can fix it ("Get test ETH"). */
export type NextStep = 'faucet'

export type Outcome = { tone: 'info' | 'error'; text: string; next?: NextStep }

/** What the describer knows of the place: whether the chain has a faucet. */
export type DescribeOptions = { faucet?: boolean }

/**
 * The message for a failed call, or null when there is nothing to say (it was cancelled).
 * @example describeError(new NothingToClaimError('…')) // { tone: 'info', text: 'Nothing to claim yet.' }
 * @example describeError(new InsufficientFundsError('…'), { faucet: true })
 * // { tone: 'error', text: 'You need test ETH to do this.', next: 'faucet' }
 */
export function describeError(err: unknown, opts: DescribeOptions = {}): Outcome | null {
  if (err instanceof AbortedError) return null
  if (err instanceof UserRejectedError)
    return { tone: 'info', text: 'Cancelled: nothing was sent.' }
  if (err instanceof NothingToClaimError) return { tone: 'info', text: 'Nothing to claim yet.' }
  if (err instanceof NothingToCashError)
    return { tone: 'info', text: 'Nothing to cash: every cheque is cashed already.' }
  if (err instanceof InsufficientFundsError)
    return opts.faucet
      ? { tone: 'error', text: 'You need test ETH to do this.', next: 'faucet' }
      : { tone: 'error', text: 'Your account needs more ETH to do this: add some, then try again.' }
  if (err instanceof NonceError)
    return { tone: 'error', text: 'Another transaction from this account went first: try again.' }
  if (err instanceof ChainUnreachableError)
    return {
      tone: 'error',
      text: "Hashcard can't reach the chain right now: check your connection, then try again.",
    }
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
    return { tone: 'error', text: `The chain refused the transaction (${text}): try again later.` }
  return { tone: 'error', text }
}
