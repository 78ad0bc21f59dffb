/**
 * Errors of on-chain operations (DESIGN §3). A contract revert is decoded from its custom error
 * into a class with a literal `name`; anything else from the RPC becomes `ChainRequestError`.
 * All are registered so they survive `postMessage`.
 */
import { ContractFunctionRevertedError, BaseError as ViemBaseError } from 'viem'
import {
  AbortedError,
  BaseError,
  type BaseErrorParameters,
  registerErrors,
} from '../../shared/errors.ts'

/** The card is empty or larger than 4 KiB. */
export class CardSizeError extends BaseError {
  override name = 'CardSizeError' as const
}
/** A card with the same bytes (so the same id) was posted before. */
export class DuplicateCardError extends BaseError {
  override name = 'DuplicateCardError' as const
}
/** No card with this id exists on the chain. */
export class UnknownCardError extends BaseError {
  override name = 'UnknownCardError' as const
}
/** Only the card's creator may do this. */
export class NotCreatorError extends BaseError {
  override name = 'NotCreatorError' as const
}
/** The card is listed already. */
export class AlreadyListedError extends BaseError {
  override name = 'AlreadyListedError' as const
}
/** The card is not for sale. */
export class NotListedError extends BaseError {
  override name = 'NotListedError' as const
}
/** The amount sent does not match the price or fee. */
export class WrongPaymentError extends BaseError {
  override name = 'WrongPaymentError' as const
}
/** Every key of the card's limited supply is taken. */
export class SoldOutError extends BaseError {
  override name = 'SoldOutError' as const
}
/** Only the listing's key agent may deliver keys. */
export class NotKeyAgentError extends BaseError {
  override name = 'NotKeyAgentError' as const
}
/** The token has no open key request (delivered already, or never requested). */
export class NoPendingRequestError extends BaseError {
  override name = 'NoPendingRequestError' as const
}
/** Only the token's owner may do this. */
export class NotTokenOwnerError extends BaseError {
  override name = 'NotTokenOwnerError' as const
}
/** The key was delivered (or nothing was paid), so there is nothing to refund. */
export class NothingToRefundError extends BaseError {
  override name = 'NothingToRefundError' as const
}
/** The delivery timeout has not passed yet. */
export class RefundTooEarlyError extends BaseError {
  override name = 'RefundTooEarlyError' as const
}
/** A plain transfer was attempted without paying the transfer fee. */
export class TransferFeeNotPaidError extends BaseError {
  override name = 'TransferFeeNotPaidError' as const
}
/** The token is not offered for sale (or its seller no longer owns it). */
export class NoOfferError extends BaseError {
  override name = 'NoOfferError' as const
}
/** Nothing is owed to this account. */
export class NothingToClaimError extends BaseError {
  override name = 'NothingToClaimError' as const
}
/** The recipient refused the ether. */
export class PaymentFailedError extends BaseError {
  override name = 'PaymentFailedError' as const
}
/** The cheque's signature is malformed or not the payer's. */
export class ChequeSignatureError extends BaseError {
  override name = 'ChequeSignatureError' as const
}
/** The cheque is not newer than what was paid already (replay or stale cheque). */
export class NothingToCashError extends BaseError {
  override name = 'NothingToCashError' as const
}
/** The payer's chequebook is empty. */
export class EmptyChequebookError extends BaseError {
  override name = 'EmptyChequebookError' as const
}
/** The withdrawal's time lock has not passed yet. */
export class WithdrawLockedError extends BaseError {
  override name = 'WithdrawLockedError' as const
}
/** No withdrawal was announced. */
export class NoWithdrawAnnouncedError extends BaseError {
  override name = 'NoWithdrawAnnouncedError' as const
}
/** An argument the contract checks is out of range (royalty above 100 %, zero address, ...). */
export class InvalidChainArgumentError extends BaseError {
  override name = 'InvalidChainArgumentError' as const
}
/** A contract reverted for a reason without its own class here (e.g. an OpenZeppelin error). */
export class ContractRevertError extends BaseError {
  override name = 'ContractRevertError' as const
}
/** The RPC node failed or refused the request (network, funds, nonce). */
export class ChainRequestError extends BaseError {
  override name = 'ChainRequestError' as const
}

type ErrorClass = new (shortMessage: string, params?: BaseErrorParameters) => BaseError
const fmt = (v: unknown): string => (typeof v === 'bigint' ? v.toString() : String(v))

/** Solidity custom error name → class and a readable message built from its arguments. */
const revertTable: Record<string, [ErrorClass, (args: readonly unknown[]) => string]> = {
  CardSize: [CardSizeError, (a) => `A card must be 1 to 4096 bytes (this one is ${fmt(a[0])}).`],
  DuplicateCard: [DuplicateCardError, () => 'This card was posted already.'],
  UnknownCard: [UnknownCardError, () => 'No card with this id is on the chain.'],
  NotCreator: [NotCreatorError, () => "Only the card's creator can list it."],
  AlreadyListed: [AlreadyListedError, () => 'This card is listed already.'],
  NotListed: [NotListedError, () => 'This card is not for sale.'],
  WrongPayment: [
    WrongPaymentError,
    (a) => `The payment must be exactly ${fmt(a[0])} wei (sent ${fmt(a[1])}).`,
  ],
  SoldOut: [SoldOutError, () => 'Every key of this card is sold.'],
  NotKeyAgent: [NotKeyAgentError, () => "Only the card's key agent can deliver keys."],
  NoPendingRequest: [NoPendingRequestError, () => 'This key has no open request to deliver.'],
  NotTokenOwner: [NotTokenOwnerError, () => 'Only the owner of this key can do that.'],
  NothingToRefund: [NothingToRefundError, () => 'There is nothing to refund for this key.'],
  RefundTooEarly: [
    RefundTooEarlyError,
    (a) => `A refund is possible from ${new Date(Number(a[1]) * 1000).toISOString()}.`,
  ],
  TransferFeeNotPaid: [
    TransferFeeNotPaidError,
    (a) => `Moving this key costs a transfer fee of ${fmt(a[1])} wei, which was not paid.`,
  ],
  NoOffer: [NoOfferError, () => 'This key is not offered for sale.'],
  NothingToClaim: [NothingToClaimError, () => 'Nothing is owed to this account.'],
  PaymentFailed: [PaymentFailedError, (a) => `${fmt(a[0])} did not accept the payment.`],
  InvalidSignature: [ChequeSignatureError, () => 'The cheque is not signed by its payer.'],
  NothingToCash: [
    NothingToCashError,
    (a) => `The cheque (${fmt(a[0])} wei) is not above what was paid (${fmt(a[1])} wei).`,
  ],
  EmptyChequebook: [EmptyChequebookError, () => "The payer's chequebook is empty."],
  WithdrawLocked: [
    WithdrawLockedError,
    (a) => `The withdrawal unlocks at ${new Date(Number(a[0]) * 1000).toISOString()}.`,
  ],
  InvalidRoyalty: [InvalidChainArgumentError, () => 'A royalty must be at most 10,000 bps.'],
  ZeroAddress: [InvalidChainArgumentError, () => 'The zero address is not allowed here.'],
  InvalidPrice: [InvalidChainArgumentError, () => 'A price must be above zero.'],
  AmountTooLarge: [InvalidChainArgumentError, () => 'The amount is too large.'],
  NoWithdrawAnnounced: [NoWithdrawAnnouncedError, () => 'Announce the withdrawal first.'],
}

/**
 * Turns what viem threw into this module's errors: a decoded custom error becomes its class
 * (details: `Name(args)`), other reverts `ContractRevertError`, the rest `ChainRequestError`.
 */
export function decodeChainError(err: unknown): BaseError {
  if (err instanceof BaseError) return err
  if (err instanceof ViemBaseError) {
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError) {
      const errorName = reverted.data?.errorName ?? reverted.reason ?? 'unknown'
      const args = reverted.data?.args ?? []
      const details = `${errorName}(${args.map(fmt).join(', ')})`
      const entry = revertTable[errorName]
      if (entry) return new entry[0](entry[1](args), { details, cause: err })
      return new ContractRevertError('The contract refused the transaction.', {
        details,
        cause: err,
      })
    }
    return new ChainRequestError(err.shortMessage, { details: err.details, cause: err })
  }
  if (err instanceof Error && err.name === 'AbortError') return new AbortedError()
  return new ChainRequestError(err instanceof Error ? err.message : String(err), { cause: err })
}

registerErrors({
  CardSizeError,
  DuplicateCardError,
  UnknownCardError,
  NotCreatorError,
  AlreadyListedError,
  NotListedError,
  WrongPaymentError,
  SoldOutError,
  NotKeyAgentError,
  NoPendingRequestError,
  NotTokenOwnerError,
  NothingToRefundError,
  RefundTooEarlyError,
  TransferFeeNotPaidError,
  NoOfferError,
  NothingToClaimError,
  PaymentFailedError,
  ChequeSignatureError,
  NothingToCashError,
  EmptyChequebookError,
  WithdrawLockedError,
  NoWithdrawAnnouncedError,
  InvalidChainArgumentError,
  ContractRevertError,
  ChainRequestError,
})
