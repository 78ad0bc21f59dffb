/**
 * Every class of the error family, registered in one call. Each realm that receives errors over
 * `postMessage` calls {@link registerAllErrors} once at start: the node worker (src/node/main.ts),
 * the page (src/ui/main.ts) and the Service Worker (src/sw/sw.ts). A class added under
 * src/shared/errors/ is added here too.
 */

import { KeysUnavailableError, NoContentKeyError } from './access.ts'
import { BaseError } from './base.ts'
import { CardCodecError } from './card.ts'
import {
  AlreadyListedError,
  CardSizeError,
  ChainRequestError,
  ChequeSignatureError,
  ContractRevertError,
  DuplicateCardError,
  EmptyChequebookError,
  InvalidChainArgumentError,
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
  WithdrawLockedError,
  WrongPaymentError,
} from './chain.ts'
import { AbortedError, InternalError, InvalidInputError, TimeoutError } from './common.ts'
import {
  BackupFormatError,
  ContentFormatError,
  IdentityExistsError,
  KeyUnwrapError,
  MnemonicError,
  NoIdentityError,
  SliceAuthError,
  VaultError,
  WrongPassphraseError,
} from './crypto.ts'
import { NodeStartingError } from './net.ts'
import { LedgerRegressionError, SpendingCapError } from './pay.ts'
import { PreviewMismatchError, PreviewTooLargeError, PreviewUnavailableError } from './preview.ts'
import { AvailabilityCodecError, SeedSettingsError, StorageBudgetError } from './seed.ts'
import {
  ItemNotFoundError,
  QuotaExceededError,
  SliceCorruptError,
  SliceMissingError,
  StorageIoError,
} from './store.ts'
import { SwarmItemNotFoundError, TorrentMismatchError } from './swarm.ts'
import { ExternalWalletError } from './wallet.ts'
import { registerErrors } from './wire.ts'

/** Registers every error class in this realm (idempotent). */
export function registerAllErrors(): void {
  registerErrors({
    BaseError,
    AbortedError,
    TimeoutError,
    InvalidInputError,
    InternalError,
    CardCodecError,
    NodeStartingError,
    MnemonicError,
    BackupFormatError,
    WrongPassphraseError,
    SliceAuthError,
    ContentFormatError,
    KeyUnwrapError,
    NoIdentityError,
    IdentityExistsError,
    VaultError,
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
    QuotaExceededError,
    SliceCorruptError,
    SliceMissingError,
    ItemNotFoundError,
    StorageIoError,
    SwarmItemNotFoundError,
    TorrentMismatchError,
    PreviewTooLargeError,
    PreviewMismatchError,
    PreviewUnavailableError,
    NoContentKeyError,
    KeysUnavailableError,
    ExternalWalletError,
    SpendingCapError,
    LedgerRegressionError,
    SeedSettingsError,
    StorageBudgetError,
    AvailabilityCodecError,
  })
}
