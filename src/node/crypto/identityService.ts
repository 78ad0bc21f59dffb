/**
 * The node's identity (DESIGN §2): loaded from the vault once, held in the worker, handed to
 * the other services (chain: `account`; net: `peerKey`; keys: `wrapSecret`, `contentMaster`).
 * Secrets never cross to the page: the mnemonic is handed out as a string only to the worker's
 * own code (handlers.ts draws it as an image for the page).
 */
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { bytesToHex } from '@noble/hashes/utils.js'
import { IdentityExistsError, MnemonicError, NoIdentityError } from '../../shared/errors/crypto.ts'
import { decryptBackup, encryptBackup, type ScryptParams } from './backup.ts'
import { checkInt, throwIfAborted, wipe } from './bytes.ts'
import { deriveIdentity, type Identity, wipeIdentity } from './identity.ts'
import { entropyToPhrase, generateMnemonic, parseMnemonic, seedFromEntropy } from './mnemonic.ts'
import { openVault, VAULT_DB, type Vault } from './vault.ts'

/** The public face of an identity, safe to show in the page. */
export type IdentityInfo = { address: `0x${string}`; peerId: string; wrapPublic: string }

type Opts = { signal?: AbortSignal }

export type IdentityServiceInit = { vaultName?: string; scrypt?: ScryptParams }

/** Creates, restores, loads and exports the identity of one profile. */
export class IdentityService {
  private vault: Promise<Vault> | null = null
  private current: { id: Identity; entropy: Uint8Array } | null = null
  private pending: Uint8Array | null = null
  private loaded = false

  constructor(private readonly init: IdentityServiceInit = {}) {}

  /** The loaded identity, or null when the profile has none. */
  async identity(options: Opts = {}): Promise<Identity | null> {
    if (!this.loaded) {
      const entropy = await (await this.openVault()).load(options)
      if (entropy)
        this.current = { id: await deriveIdentity(await seedFromEntropy(entropy)), entropy }
      this.loaded = true
    }
    return this.current?.id ?? null
  }

  /** The identity, or {@link NoIdentityError}. */
  async require(options: Opts = {}): Promise<Identity> {
    const id = await this.identity(options)
    if (!id) throw new NoIdentityError('Create or restore an identity first.')
    return id
  }

  async info(options: Opts = {}): Promise<IdentityInfo | null> {
    const id = await this.identity(options)
    return id ? infoOf(id) : null
  }

  /** Generates a mnemonic and keeps it pending until {@link confirm}. */
  async create(
    words: 12 | 24 = 12,
    options: Opts = {},
  ): Promise<{ mnemonic: string; address: `0x${string}` }> {
    await this.refuseIfExists(false, options)
    const mnemonic = generateMnemonic(words === 24 ? 256 : 128)
    wipe(this.pending ?? undefined)
    this.pending = parseMnemonic(mnemonic)
    const id = await deriveIdentity(await seedFromEntropy(this.pending))
    wipeIdentity(id)
    return { mnemonic, address: id.address }
  }

  /** Checks the user wrote the pending mnemonic down (some of its words), then stores it. */
  async confirm(
    words: { position: number; word: string }[],
    options: Opts = {},
  ): Promise<IdentityInfo> {
    if (!this.pending) throw new MnemonicError('There is no new recovery phrase to confirm.')
    const list = entropyToPhrase(this.pending).split(' ')
    if (words.length === 0) throw new RangeError('words: expected at least 1 word, got 0')
    for (const { position, word } of words) {
      checkInt('position', position, 1, list.length)
      if (list[position - 1] !== word.trim().toLowerCase())
        throw new MnemonicError(`Word ${position} does not match the recovery phrase.`)
    }
    return this.keepPending(options)
  }

  /** Stores the pending mnemonic without checking words ("back up later"). */
  async keepPending(options: Opts = {}): Promise<IdentityInfo> {
    if (!this.pending) throw new MnemonicError('There is no new recovery phrase to keep.')
    const entropy = this.pending
    this.pending = null
    return this.store(entropy, false, options)
  }

  async restore(mnemonic: string, replace = false, options: Opts = {}): Promise<IdentityInfo> {
    const entropy = parseMnemonic(mnemonic)
    return this.store(entropy, replace, options)
  }

  async importBackup(
    text: string,
    passphrase: string,
    replace = false,
    options: Opts = {},
  ): Promise<IdentityInfo> {
    await this.refuseIfExists(replace, options)
    const { entropy } = await decryptBackup(text, passphrase, options)
    return this.store(entropy, replace, options)
  }

  async exportMnemonic(options: Opts = {}): Promise<string> {
    await this.require(options)
    return entropyToPhrase(this.current!.entropy)
  }

  async exportBackup(
    passphrase: string,
    options: Opts = {},
  ): Promise<{ fileName: string; text: string }> {
    const id = await this.require(options)
    const text = await encryptBackup(this.current!.entropy, id.address, passphrase, {
      ...options,
      ...(this.init.scrypt ? { scrypt: this.init.scrypt } : {}),
    })
    return { fileName: `hashcard-backup-${id.address.slice(2, 10).toLowerCase()}.json`, text }
  }

  private async store(entropy: Uint8Array, replace: boolean, options: Opts): Promise<IdentityInfo> {
    await this.refuseIfExists(replace, options)
    const id = await deriveIdentity(await seedFromEntropy(entropy))
    throwIfAborted(options.signal, 'Saving the identity')
    await (await this.openVault()).save(entropy, id.address, options)
    if (this.current) wipeIdentity(this.current.id)
    this.current = { id, entropy }
    this.loaded = true
    return infoOf(id)
  }

  private async refuseIfExists(replace: boolean, options: Opts): Promise<void> {
    if (!replace && (await this.identity(options)))
      throw new IdentityExistsError('This profile already has an identity.', {
        details: 'pass replace: true to overwrite it (export a backup first)',
      })
  }

  private openVault(): Promise<Vault> {
    this.vault ??= openVault(this.init.vaultName ?? VAULT_DB)
    return this.vault
  }
}

function infoOf(id: Identity): IdentityInfo {
  return {
    address: id.address,
    peerId: peerIdFromPrivateKey(id.peerKey).toString(),
    wrapPublic: bytesToHex(id.wrapPublic),
  }
}
