/** Errors of the content core's cryptography (DESIGN §2, §6; src/node/crypto/). */
import { BaseError } from './base.ts'

/** A mnemonic phrase is malformed: a word outside the BIP-39 list, a wrong length, a bad checksum. */
export class MnemonicError extends BaseError {
  override name = 'MnemonicError' as const
}

/** A backup file is not a Hashcard backup, or one of its fields is out of range. */
export class BackupFormatError extends BaseError {
  override name = 'BackupFormatError' as const
}

/** A backup file did not open with the given passphrase (or its ciphertext was altered). */
export class WrongPassphraseError extends BaseError {
  override name = 'WrongPassphraseError' as const
}

/** A ciphertext slice failed AES-GCM authentication: wrong key, altered, moved or truncated. */
export class SliceAuthError extends BaseError {
  override name = 'SliceAuthError' as const
}

/** A ciphertext file has the wrong shape (length, slice size) for its layout. */
export class ContentFormatError extends BaseError {
  override name = 'ContentFormatError' as const
}

/** An HPKE-sealed content key did not open: wrong recipient, card, token, or altered. */
export class KeyUnwrapError extends BaseError {
  override name = 'KeyUnwrapError' as const
}

/** The node has no identity yet (create, restore or import one first). */
export class NoIdentityError extends BaseError {
  override name = 'NoIdentityError' as const
}

/** The node already has an identity; creating another would lose it. */
export class IdentityExistsError extends BaseError {
  override name = 'IdentityExistsError' as const
}

/** The encrypted seed at rest did not open (its wrapping key was lost or the record altered). */
export class VaultError extends BaseError {
  override name = 'VaultError' as const
}
