/** Errors of on-chain operations (DESIGN §3): one class per contract custom error, decoded in src/node/chain/errors.ts. */
import { BaseError } from './base.ts'

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
/** The paying account cannot cover the amount and the gas. */
export class InsufficientFundsError extends BaseError {
  override name = 'InsufficientFundsError' as const
}
/** The account's transaction count moved under the transaction (another one went first). */
export class NonceError extends BaseError {
  override name = 'NonceError' as const
}
/** The chain's RPC endpoint could not be reached or did not answer in time. */
export class ChainUnreachableError extends BaseError {
  override name = 'ChainUnreachableError' as const
}
/** The person declined the transaction (in the confirmation or in their wallet): nothing was sent. */
export class UserRejectedError extends BaseError {
  override name = 'UserRejectedError' as const
}
