/**
 * The node's identity (DESIGN §2): loaded from the vault once, held in the worker, handed to
 * the other services (chain: `account`; net: `peerKey`; keys: `wrapSecret`, `contentMaster`).
 * Secrets never cross to the page: the mnemonic is handed out as a string only to the worker's
 * own code (handlers.ts draws it as an image for the page).
 */
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { bytesToHex } from '@noble/hashes/utils.js'
import { IdentityExistsError, MnemonicError, NoIdentityError } from '../../shared/errors/crypto.ts'
import type { IdentityPublic } from '../../shared/protocol/methods/identity.ts'
import { decryptBackup, encryptBackup, type ScryptParams } from './backup.ts'
import { checkInt, throwIfAborted, wipe } from './bytes.ts'
import { deriveIdentity, type Identity, wipeIdentity } from './identity.ts'
import { entropyToPhrase, generateMnemonic, parseMnemonic, seedFromEntropy } from './mnemonic.ts'
import { openVault, VAULT_DB, type Vault } from './vault.ts'

/** The public face of an identity, safe to show in the page. */
export type IdentityInfo = IdentityPublic

type Opts = { signal?: AbortSignal }

export type IdentityServiceInit = { vaultName?: string; scrypt?: ScryptParams }

/** Creates, restores, loads and exports the identity of one profile. */
export class IdentityService {
  private vault: Promise<Vault> | null = null
  private current: { id: Identity; entropy: Uint8Array } | null = null
  private pending: Uint8Array | null = null
  private loaded = false
  private backedUp = true

  constructor(private readonly init: IdentityServiceInit = {}) {}

  /** The loaded identity, or null when the profile has none. */
  async identity(options: Opts = {}): Promise<Identity | null> {
    if (!this.loaded) {
      const vault = await this.openVault()
      const entropy = await vault.load(options)
      if (entropy) {
        this.current = { id: await deriveIdentity(await seedFromEntropy(entropy)), entropy }
        this.backedUp = await vault.backedUp()
      }
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
    return id ? this.infoOf(id) : null
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
    checkWords(this.pending, words)
    const entropy = this.pending
    this.pending = null
    return this.store(entropy, false, options)
  }

  /** Stores the pending mnemonic without checking words ("back up later"): not backed up. */
  async keepPending(options: Opts = {}): Promise<IdentityInfo> {
    if (!this.pending) throw new MnemonicError('There is no new recovery phrase to keep.')
    const entropy = this.pending
    this.pending = null
    return this.store(entropy, false, options, true)
  }

  /**
   * Checks words of the stored mnemonic (the check skipped at creation, done later from the
   * backup page); the identity then counts as backed up.
   */
  async checkPhrase(
    words: { position: number; word: string }[],
    options: Opts = {},
  ): Promise<IdentityInfo> {
    const id = await this.require(options)
    checkWords(this.current!.entropy, words)
    await this.markBackedUp()
    return this.infoOf(id)
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
    // A backup file and its passphrase bring the identity back: it is backed up now.
    await this.markBackedUp()
    return { fileName: `hashcard-backup-${id.address.slice(2, 10).toLowerCase()}.json`, text }
  }

  private async store(
    entropy: Uint8Array,
    replace: boolean,
    options: Opts,
    unchecked = false,
  ): Promise<IdentityInfo> {
    await this.refuseIfExists(replace, options)
    const id = await deriveIdentity(await seedFromEntropy(entropy))
    throwIfAborted(options.signal, 'Saving the identity')
    await (await this.openVault()).save(entropy, id.address, { ...options, unchecked })
    if (this.current) wipeIdentity(this.current.id)
    this.current = { id, entropy }
    this.backedUp = !unchecked
    this.loaded = true
    return this.infoOf(id)
  }

  private async markBackedUp(): Promise<void> {
    await (await this.openVault()).setBackedUp()
    this.backedUp = true
  }

  private infoOf(id: Identity): IdentityInfo {
    return {
      address: id.address,
      peerId: peerIdFromPrivateKey(id.peerKey).toString(),
      wrapPublic: bytesToHex(id.wrapPublic),
      backedUp: this.backedUp,
      words: this.current && this.current.entropy.length === 32 ? 24 : 12,
    }
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

/** Checks words (1-based positions) against a mnemonic's entropy; MnemonicError names a wrong one. */
function checkWords(entropy: Uint8Array, words: { position: number; word: string }[]): void {
  const list = entropyToPhrase(entropy).split(' ')
  if (words.length === 0) throw new RangeError('words: expected at least 1 word, got 0')
  for (const { position, word } of words) {
    checkInt('position', position, 1, list.length)
    if (list[position - 1] !== word.trim().toLowerCase())
      throw new MnemonicError(`Word ${position} does not match the recovery phrase.`)
  }
}
