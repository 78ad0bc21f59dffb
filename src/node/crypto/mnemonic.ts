/**
 * BIP-39 mnemonics (@scure/bip39, English list): the one secret of an identity (DESIGN §2).
 * {@link parseMnemonic} says exactly what is wrong with a phrase, so the UI can point at it.
 */
import {
  entropyToMnemonic,
  generateMnemonic as generate,
  mnemonicToEntropy,
  mnemonicToSeedWebcrypto,
} from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { MnemonicError } from '../../shared/errors/crypto.ts'
import { checkBytes } from './bytes.ts'

const WORD_COUNTS = [12, 15, 18, 21, 24]
const words = new Set(wordlist)

/**
 * A new random mnemonic: 12 words (128 bits) by default, 24 with `strength: 256`.
 * @example const phrase = generateMnemonic()
 */
export function generateMnemonic(strength: 128 | 256 = 128): string {
  return generate(wordlist, strength)
}

/** Lower-cases, trims and collapses whitespace (BIP-39 phrases are NFKD ASCII for English). */
export function normalizeMnemonic(phrase: string): string {
  return phrase.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ')
}

/**
 * Checks a phrase and returns its entropy (16–32 bytes). Throws {@link MnemonicError} naming
 * the first unknown word (1-based position), a wrong word count, or a failed checksum.
 * @example const entropy = parseMnemonic('abandon abandon … about')
 */
export function parseMnemonic(phrase: string): Uint8Array {
  if (typeof phrase !== 'string')
    throw new TypeError(`phrase: expected string, got ${typeof phrase}`)
  const normal = normalizeMnemonic(phrase)
  const list = normal === '' ? [] : normal.split(' ')
  for (const [i, w] of list.entries()) {
    if (!words.has(w))
      throw new MnemonicError(`Word ${i + 1} "${w}" is not in the BIP-39 English word list.`)
  }
  if (!WORD_COUNTS.includes(list.length))
    throw new MnemonicError(
      `A recovery phrase has 12, 15, 18, 21 or 24 words; this one has ${list.length}.`,
    )
  try {
    return mnemonicToEntropy(normal, wordlist)
  } catch (cause) {
    throw new MnemonicError(
      'The checksum of this recovery phrase fails: a word is wrong or out of order.',
      { cause },
    )
  }
}

/** The phrase for 16–32 bytes of entropy (inverse of {@link parseMnemonic}). */
export function entropyToPhrase(entropy: Uint8Array): string {
  checkBytes('entropy', entropy)
  if (![16, 20, 24, 28, 32].includes(entropy.length))
    throw new RangeError(`entropy: expected 16, 20, 24, 28 or 32 bytes, got ${entropy.length}`)
  return entropyToMnemonic(entropy, wordlist)
}

/**
 * The 64-byte BIP-39 seed (PBKDF2-HMAC-SHA512, 2048 rounds, through WebCrypto).
 * @example const seed = await seedFromEntropy(parseMnemonic(phrase))
 */
export async function seedFromEntropy(entropy: Uint8Array, passphrase = ''): Promise<Uint8Array> {
  return mnemonicToSeedWebcrypto(entropyToPhrase(entropy), passphrase)
}
