/**
 * Page↔node RPC methods of the identity (src/node/crypto/), declared in the table of
 * src/shared/protocol/rpc.ts; spoken by the page and the node worker.
 */

/**
 * A recovery phrase drawn by the worker (src/node/crypto/phraseImage.ts): its words never reach
 * the page as text (DESIGN §6). `width`/`height` are CSS pixels; the bitmap is `scale`× that.
 */
export type PhraseImage = { image: ImageBitmap; words: number; width: number; height: number }

/**
 * An identity's public parts. `backedUp` is false while the phrase check was skipped and no
 * backup file was saved since (the app reminds the person); `words`: the phrase's length.
 */
export type IdentityPublic = {
  address: `0x${string}`
  peerId: string
  wrapPublic: string
  backedUp: boolean
  words: 12 | 24
}

export type IdentityMethods = {
  /** Whether this profile has an identity, and its public parts. */
  'identity.state': {
    params: undefined
    result: { state: 'none' } | ({ state: 'ready' } & IdentityPublic)
  }
  /**
   * A new random mnemonic, held in the worker until `identity.confirm` (not stored yet); the
   * page gets it drawn as an image only. `scale`: the page's devicePixelRatio.
   */
  'identity.create': {
    params: { words?: 12 | 24; scale?: number }
    result: { phrase: PhraseImage; address: `0x${string}` }
  }
  /**
   * Checks words of the pending mnemonic (1-based positions), then stores the identity; or,
   * with `later`, stores it unchecked (the person backs it up later from the backup page).
   */
  'identity.confirm': {
    params: { words: { position: number; word: string }[] } | { later: true }
    result: IdentityPublic
  }
  /**
   * Checks words of the stored mnemonic (a check skipped at creation, done later); the identity
   * is then backed up. MnemonicError names a word that does not match.
   */
  'identity.checkPhrase': {
    params: { words: { position: number; word: string }[] }
    result: IdentityPublic
  }
  /** Restores from a mnemonic; MnemonicError names the unknown word or the failed checksum. */
  'identity.restore': {
    params: { mnemonic: string; replace?: boolean }
    result: IdentityPublic
  }
  /** Restores from a backup file's text; BackupFormatError or WrongPassphraseError. */
  'identity.importBackup': {
    params: { text: string; passphrase: string; replace?: boolean }
    result: IdentityPublic
  }
  /** The stored mnemonic drawn as an image, for the person to write down (the UI warns first). */
  'identity.showPhrase': { params: { scale?: number }; result: { phrase: PhraseImage } }
  /** A passphrase-encrypted backup file (scrypt + AES-256-GCM, JSON); the identity is then backed up. */
  'identity.exportBackup': {
    params: { passphrase: string }
    result: { fileName: string; text: string }
  }
}
