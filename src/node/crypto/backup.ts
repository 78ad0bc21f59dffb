/**
 * Passphrase-encrypted identity backup (DESIGN §2), a versioned JSON file:
 *
 * ```json
 * { "format": "hashcard-backup", "v": 1, "address": "0x…",
 *   "kdf": { "name": "scrypt", "N": 131072, "r": 8, "p": 1, "dkLen": 32, "salt": "<b64 16>" },
 *   "cipher": { "name": "AES-256-GCM", "iv": "<b64 12>" },
 *   "ct": "<b64: AES-256-GCM(mnemonic entropy) ‖ tag>" }
 * ```
 *
 * The AES-GCM additional data is the UTF-8 JSON of
 * `[format, v, address, kdf.name, N, r, p, dkLen, salt, cipher.name]`,
 * so altering the parameters or the address fails authentication like a wrong passphrase.
 * scrypt (RFC 7914, @noble/hashes) with N = 2^17, r = 8, p = 1 by default.
 */
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { AbortedError } from '../../shared/errors/common.ts'
import { BackupFormatError, WrongPassphraseError } from '../../shared/errors/crypto.ts'
import { bs, checkBytes, fromBase64, throwIfAborted, toBase64, wipe } from './bytes.ts'

export const BACKUP_FORMAT = 'hashcard-backup'
/** Largest accepted file: a backup is well under 1 KiB; anything bigger is not ours. */
export const BACKUP_MAX_BYTES = 16 * 1024

export type ScryptParams = { N: number; r: number; p: number }
/** Default cost: ≈ 128 MiB of memory, about a second in a browser worker. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 }

export type BackupFile = {
  format: typeof BACKUP_FORMAT
  v: 1
  address: string
  kdf: { name: 'scrypt'; N: number; r: number; p: number; dkLen: 32; salt: string }
  cipher: { name: 'AES-256-GCM'; iv: string }
  ct: string
}

/** scrypt's memory is 128·N·r bytes: at most 1 GiB (the default is 128 MiB). */
const MAX_SCRYPT_NR = 2 ** 23
/** N·r·p, scrypt's work: at most 8× the default's (about 8 s in a browser worker). */
const MAX_SCRYPT_WORK = 2 ** 23

type Options = { signal?: AbortSignal; onProgress?: (fraction: number) => void }

/**
 * Encrypts the mnemonic entropy under a passphrase and returns the backup file's text.
 * @example const text = await encryptBackup(entropy, id.address, 'correct horse battery')
 */
export async function encryptBackup(
  entropy: Uint8Array,
  address: string,
  passphrase: string,
  options: Options & { scrypt?: ScryptParams } = {},
): Promise<string> {
  checkBytes('entropy', entropy)
  if (typeof passphrase !== 'string' || passphrase.length === 0)
    throw new TypeError('passphrase: expected a non-empty string')
  const { N, r, p } = options.scrypt ?? DEFAULT_SCRYPT
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const kdf = { name: 'scrypt' as const, N, r, p, dkLen: 32 as const, salt: toBase64(salt) }
  const cipher = { name: 'AES-256-GCM' as const, iv: toBase64(iv) }
  const key = await passphraseKey(passphrase, salt, { N, r, p }, options)
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: aad(address, kdf) },
    key,
    bs(entropy),
  )
  const file: BackupFile = {
    format: BACKUP_FORMAT,
    v: 1,
    address,
    kdf,
    cipher,
    ct: toBase64(new Uint8Array(ct)),
  }
  return `${JSON.stringify(file, null, 2)}\n`
}

/**
 * Parses and checks a backup file's text without decrypting it. Throws {@link BackupFormatError}.
 */
export function parseBackup(text: string): BackupFile {
  if (typeof text !== 'string') throw new TypeError(`text: expected string, got ${typeof text}`)
  if (text.length > BACKUP_MAX_BYTES)
    throw new BackupFormatError('This file is too large to be a Hashcard backup.', {
      details: `${text.length} characters, at most ${BACKUP_MAX_BYTES}`,
    })
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (cause) {
    throw new BackupFormatError('This file is not a Hashcard backup (it is not JSON).', { cause })
  }
  const f = raw as Partial<BackupFile> | null
  const bad = (details: string) =>
    new BackupFormatError('This file is not a valid Hashcard backup.', { details })
  if (typeof f !== 'object' || f === null || f.format !== BACKUP_FORMAT)
    throw bad(`"format" is not "${BACKUP_FORMAT}"`)
  if (f.v !== 1)
    throw new BackupFormatError('This backup was written by a newer version of Hashcard.', {
      details: `version ${String(f.v)}, this app reads version 1`,
    })
  if (typeof f.address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(f.address))
    throw bad('"address" is not an EVM address')
  const k = f.kdf
  if (k?.name !== 'scrypt' || k.dkLen !== 32) throw bad('"kdf" is not scrypt with dkLen 32')
  if (!isPow2(k.N) || k.N < 2 ** 10 || k.N > 2 ** 20) throw bad('"kdf.N" is not 2^10..2^20')
  if (!isInt(k.r, 1, 32) || !isInt(k.p, 1, 16)) throw bad('"kdf.r" or "kdf.p" out of range')
  // Each bound alone still lets a file ask for 4 GiB (scrypt then throws a plain Error) or for
  // minutes of work: a restore must not be turned into a crash or a hang by its file.
  if (k.N * k.r > MAX_SCRYPT_NR || k.N * k.r * k.p > MAX_SCRYPT_WORK)
    throw bad(`"kdf" asks for too much memory or work (N·r ≤ 2^23, N·r·p ≤ 2^23)`)
  if (decodeLength(k.salt) !== 16) throw bad('"kdf.salt" is not 16 base64 bytes')
  if (f.cipher?.name !== 'AES-256-GCM' || decodeLength(f.cipher.iv) !== 12)
    throw bad('"cipher" is not AES-256-GCM with a 12-byte iv')
  const ctLength = decodeLength(f.ct)
  if (![32, 36, 40, 44, 48].includes(ctLength)) throw bad('"ct" has the wrong length')
  return f as BackupFile
}

/**
 * Opens a backup file with its passphrase and returns the mnemonic entropy and address.
 * Throws {@link BackupFormatError} or {@link WrongPassphraseError}.
 */
export async function decryptBackup(
  text: string,
  passphrase: string,
  options: Options = {},
): Promise<{ entropy: Uint8Array; address: string }> {
  const file = parseBackup(text)
  const { N, r, p } = file.kdf
  const key = await passphraseKey(passphrase, fromBase64(file.kdf.salt), { N, r, p }, options)
  try {
    const pt = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: bs(fromBase64(file.cipher.iv)),
        additionalData: aad(file.address, file.kdf),
      },
      key,
      bs(fromBase64(file.ct)),
    )
    return { entropy: new Uint8Array(pt), address: file.address }
  } catch (cause) {
    throw new WrongPassphraseError('The passphrase is wrong, or the backup file was altered.', {
      cause,
    })
  }
}

async function passphraseKey(
  passphrase: string,
  salt: Uint8Array,
  { N, r, p }: ScryptParams,
  { signal, onProgress }: Options,
): Promise<CryptoKey> {
  throwIfAborted(signal, 'The backup')
  const bytes = await scryptAsync(passphrase.normalize('NFKC'), salt, {
    N,
    r,
    p,
    dkLen: 32,
    maxmem: 2 ** 31,
    asyncTick: 20,
    onProgress: (fraction: number) => {
      // scrypt yields every asyncTick ms; throwing here stops it at the next yield. In Node the
      // abort lands mid-way; Chromium boosts `scheduler.yield()` continuations (noble's yield)
      // above timers and messages, so there the abort is seen only when scrypt returns (≈ 1 s).
      if (signal?.aborted) throw new AbortedError('The backup was cancelled.')
      onProgress?.(fraction)
    },
  })
  if (signal?.aborted) {
    wipe(bytes)
    throw new AbortedError('The backup was cancelled.')
  }
  try {
    return await crypto.subtle.importKey('raw', bs(bytes), 'AES-GCM', false, ['encrypt', 'decrypt'])
  } finally {
    wipe(bytes)
  }
}

function aad(address: string, kdf: BackupFile['kdf']): Uint8Array<ArrayBuffer> {
  // A fixed field order, independent of the key order in the file's JSON.
  const header = [BACKUP_FORMAT, 1, address, kdf.name, kdf.N, kdf.r, kdf.p, kdf.dkLen, kdf.salt]
  header.push('AES-256-GCM')
  return new TextEncoder().encode(JSON.stringify(header))
}

function isPow2(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 1 && (n & (n - 1)) === 0
}

function isInt(n: unknown, min: number, max: number): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= min && n <= max
}

function decodeLength(b64: unknown): number {
  if (typeof b64 !== 'string') return -1
  try {
    return fromBase64(b64).length
  } catch {
    return -1
  }
}
