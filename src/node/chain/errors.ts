/**
 * Maps what viem throws to the chain's error classes (src/shared/errors/chain.ts), the one place
 * that reads viem's errors: a contract revert is decoded from its custom error into its class
 * (or its reason string); the common failures of sending — funds, nonce, the endpoint, a
 * declined request — get a class each; anything else from the RPC becomes `ChainRequestError`.
 * The page says each class in one plain sentence with the next step (src/ui/pay/errors.ts).
 */
import {
  ContractFunctionRevertedError,
  HttpRequestError,
  NonceMaxValueError,
  NonceTooHighError,
  NonceTooLowError,
  SocketClosedError,
  UserRejectedRequestError,
  BaseError as ViemBaseError,
  InsufficientFundsError as ViemInsufficientFundsError,
  TimeoutError as ViemTimeoutError,
  WebSocketRequestError,
} from 'viem'
import { BaseError, type ErrorClass } from '../../shared/errors/base.ts'
import {
  AlreadyListedError,
  CardSizeError,
  ChainRequestError,
  ChainUnreachableError,
  ChequeSignatureError,
  ContractRevertError,
  DuplicateCardError,
  EmptyChequebookError,
  InsufficientFundsError,
  InvalidChainArgumentError,
  NonceError,
  NoOfferError,
  NoPendingRequestError,
  NotCreatorError,
  NothingToCashError,
  NothingToClaimError,
  NothingToRefundError,
  NotKeyAgentError,
  NotListedError,
  NotTokenOwnerError,
  NoWithdrawAnnouncedError,
  PaymentFailedError,
  RefundTooEarlyError,
  SoldOutError,
  TransferFeeNotPaidError,
  UnknownCardError,
  UserRejectedError,
  WithdrawLockedError,
  WrongPaymentError,
} from '../../shared/errors/chain.ts'
import { AbortedError } from '../../shared/errors/common.ts'

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

/** viem's errors of sending, by what the person can do about them. */
const sendTable: [(e: unknown) => boolean, ErrorClass, string][] = [
  [
    (e) => e instanceof ViemInsufficientFundsError,
    InsufficientFundsError,
    'The account cannot pay the amount and the gas.',
  ],
  [
    (e) =>
      e instanceof NonceTooLowError ||
      e instanceof NonceTooHighError ||
      e instanceof NonceMaxValueError,
    NonceError,
    'Another transaction from this account went first.',
  ],
  [
    (e) => e instanceof UserRejectedRequestError,
    UserRejectedError,
    'The request was declined: nothing was sent.',
  ],
  [
    (e) =>
      e instanceof HttpRequestError ||
      e instanceof WebSocketRequestError ||
      e instanceof SocketClosedError ||
      e instanceof ViemTimeoutError,
    ChainUnreachableError,
    'The chain could not be reached.',
  ],
]

/**
 * Turns what viem threw into this module's errors: one of ours found in the cause chain is
 * kept (a wallet's refusal, an abort); a decoded custom error becomes its class (details:
 * `Name(args)`), other reverts `ContractRevertError` with the reason; the failures of
 * {@link sendTable} their class; the rest `ChainRequestError`.
 */
export function decodeChainError(err: unknown): BaseError {
  if (err instanceof BaseError) return err
  if (err instanceof ViemBaseError) {
    const ours = err.walk((e) => e instanceof BaseError)
    if (ours instanceof BaseError) return ours
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError) {
      const errorName = reverted.data?.errorName ?? reverted.reason ?? 'unknown'
      const args = reverted.data?.args ?? []
      const details = `${errorName}(${args.map(fmt).join(', ')})`
      const entry = revertTable[errorName]
      if (entry) return new entry[0](entry[1](args), { details, cause: err })
      const reason = reverted.reason
      return new ContractRevertError(
        reason
          ? `The contract refused the transaction: ${reason}.`
          : 'The contract refused the transaction.',
        { details, cause: err },
      )
    }
    for (const [match, cls, message] of sendTable) {
      const found = err.walk(match)
      if (found instanceof ViemBaseError)
        return new cls(message, { details: found.shortMessage, cause: err })
    }
    return new ChainRequestError(err.shortMessage, { details: err.details, cause: err })
  }
  if (err instanceof Error && err.name === 'AbortError') return new AbortedError()
  return new ChainRequestError(err instanceof Error ? err.message : String(err), { cause: err })
}
