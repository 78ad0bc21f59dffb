/**
 * The account service (DESIGN §1): which EVM account this node acts as on-chain (the
 * identity's embedded key, or a browser wallet the page bridges in), its X25519 wrap key, the
 * chain clients, and the account's own database (the key vault, tracked tokens, the agent's
 * waiting requests, settings). Access, keys and the wallet handlers build on its context; it
 * knows nothing of content.
 *
 * A context opens lazily for the current identity and chain and is dropped on `restart()`
 * (the identity changed) or when the wallet choice changes; `onChange` listeners hear both.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { IDBPDatabase } from 'idb'
import { type Address, custom, type Hex, hexToBytes, recoverMessageAddress } from 'viem'
import type { ChainConfig } from '../../shared/config.ts'
import { KeysUnavailableError } from '../../shared/errors/access.ts'
import { ExternalWalletError } from '../../shared/errors/wallet.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { type ChainContext, createChainClients } from '../chain/clients.ts'
import { type CursorStore, openCursorStore } from '../chain/cursorStore.ts'
import type { Identity } from '../crypto/identity.ts'
import { deriveExternalWrapKey } from '../crypto/wrapKey.ts'
import { logger } from '../log.ts'
import { openKeysDb } from './db.ts'
import { EXTERNAL_WRAP_MESSAGE, WalletBridge } from './external.ts'
import { clearExternalChoice, loadExternalChoice, saveExternalChoice } from './externalChoice.ts'

const log = logger('account')

export type AccountInit = { chain: ChainConfig | null }

export type AccountComponents = {
  identity: { identity(): Promise<Identity | null> }
  emit: (event: NodeEvent) => void
}

/** One identity's account on one chain. */
export type AccountContext = {
  chain: ChainContext
  config: ChainConfig
  identity: Identity
  wrapSecret: Uint8Array
  wrapPublic: Hex
  /** The account's database (src/node/keys/db.ts), open while the context lives. */
  db: IDBPDatabase
  cursors: CursorStore
}

type External = { owner: Address; address: Address; wrapSecret: Uint8Array; wrapPublic: Uint8Array }

/** Factory in the libp2p style: `accountService(init)(components)`. */
export function accountService(init: AccountInit) {
  return (components: AccountComponents) => new AccountService(components, init)
}

export class AccountService {
  private current: Promise<AccountContext | null> | null = null
  private cursors: Promise<CursorStore> | null = null
  private external: External | null = null
  /** The identity whose remembered wallet choice was last looked up (externalChoice.ts). */
  private restoredFor: Address | null = null
  private readonly listeners = new Set<() => Promise<void>>()
  /** The page↔worker path to an external wallet (keys/external.ts). */
  readonly bridge: WalletBridge

  constructor(
    private readonly c: AccountComponents,
    readonly init: AccountInit,
  ) {
    this.bridge = new WalletBridge((e) => this.c.emit(e))
  }

  async start(): Promise<void> {
    await this.context().catch((err: Error) => log.warn('not started: %s', err.message))
  }

  async stop(): Promise<void> {
    const old = this.current
    this.current = null
    ;(await old?.catch(() => null))?.db.close()
  }

  /**
   * Drops the context (the identity or the wallet changed): the listeners let go of what they
   * built on it first (they may open the new one at once), then its database closes.
   */
  async restart(): Promise<void> {
    const old = this.current
    this.current = null
    for (const fn of this.listeners) await fn().catch((err: Error) => log.warn('%s', err.message))
    ;(await old?.catch(() => null))?.db.close()
    await this.start()
  }

  /** Calls `fn` at every change of account; returns the unsubscribe function. */
  onChange(fn: () => Promise<void>): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Whether on-chain actions go through an external wallet. */
  get usesExternal(): boolean {
    return this.external !== null
  }

  /** The context, or null when there is no chain or no identity. */
  context(): Promise<AccountContext | null> {
    this.current ??= this.open().catch((err: unknown) => {
      this.current = null
      throw err
    })
    return this.current
  }

  /** The context, or {@link KeysUnavailableError}. */
  async require(): Promise<AccountContext> {
    const ctx = await this.context()
    if (!ctx)
      throw new KeysUnavailableError('Keys need a chain and an identity.', {
        details: this.init.chain ? 'no identity yet' : 'config.chain is null',
      })
    return ctx
  }

  /**
   * Switches on-chain actions to the page's EIP-1193 wallet `address`; `signature` is its
   * signature of {@link EXTERNAL_WRAP_MESSAGE}, from which the wrap key derives. The content
   * master (the creator's content keys) stays the identity's.
   */
  async useExternal(address: Address, signature: Hex): Promise<{ wrapPublic: Hex }> {
    const signer = await recoverMessageAddress({ message: EXTERNAL_WRAP_MESSAGE, signature })
    if (signer.toLowerCase() !== address.toLowerCase())
      throw new ExternalWalletError('The signature is not from that wallet.', {
        details: `signed by ${signer}, expected ${address}`,
      })
    const id = await this.c.identity.identity()
    if (!id) throw new KeysUnavailableError('Create or restore an identity first.')
    await withKeysDb(id.address, (db) => saveExternalChoice(db, { address: signer, signature }))
    const external = {
      owner: id.address,
      address: signer,
      ...deriveExternalWrapKey(hexToBytes(signature)),
    }
    this.external = external
    this.restoredFor = id.address
    this.bridge.attached = true
    await this.restart()
    return { wrapPublic: `0x${bytesToHex(external.wrapPublic)}` }
  }

  /**
   * The page found the remembered wallet `address` again after a reload (`eth_accounts`, no
   * signature) and answers its requests from now on.
   */
  attachExternal(address: Address): void {
    if (this.external?.address.toLowerCase() !== address.toLowerCase())
      throw new ExternalWalletError('That is not the wallet this node uses.', {
        details: `asked to attach ${address}, using ${this.external?.address ?? 'its own account'}`,
      })
    this.bridge.attached = true
  }

  /** Back to the identity's embedded account (and forgets the wallet choice). */
  async useEmbedded(): Promise<void> {
    const owner = this.external?.owner ?? (await this.c.identity.identity())?.address
    this.external = null
    this.bridge.close()
    if (owner) await withKeysDb(owner, clearExternalChoice)
    await this.restart()
  }

  private async open(): Promise<AccountContext | null> {
    const config = this.init.chain
    if (!config) return null
    const id = await this.c.identity.identity()
    if (!id) return null
    this.cursors ??= openCursorStore()
    const cursors = await this.cursors
    if (this.external && this.external.owner !== id.address) {
      this.external = null // another identity was restored: its wallet choice is its own
      this.bridge.close()
    }
    if (!this.external && this.restoredFor !== id.address) {
      // A reload: the identity's remembered wallet, unattached until the page finds it.
      const choice = await withKeysDb(id.address, loadExternalChoice)
      this.restoredFor = id.address
      if (choice) {
        this.external = {
          owner: id.address,
          address: choice.address,
          ...deriveExternalWrapKey(hexToBytes(choice.signature)),
        }
        log('restored the browser wallet %s (waiting for the page)', choice.address)
      }
    }
    const ext = this.external
    const chain: ChainContext = {
      ...createChainClients({
        rpcUrl: config.rpcUrl,
        chainId: config.chainId,
        account: ext ? ext.address : id.account,
        ...(ext ? { walletTransport: custom({ request: this.bridge.request }) } : {}),
      }),
      contracts: config.contracts,
    }
    const wrap = ext ?? { wrapSecret: id.wrapSecret, wrapPublic: id.wrapPublic }
    const db = await openKeysDb(chain.account.address)
    log('account %s on chain %d', chain.account.address, config.chainId)
    return {
      chain,
      config,
      identity: id,
      wrapSecret: wrap.wrapSecret,
      wrapPublic: `0x${bytesToHex(wrap.wrapPublic)}`,
      db,
      cursors,
    }
  }
}

/** Runs `fn` on the keys database of `address`, closed afterwards. */
async function withKeysDb<T>(address: string, fn: (db: IDBPDatabase) => Promise<T>): Promise<T> {
  const db = await openKeysDb(address)
  try {
    return await fn(db)
  } finally {
    db.close()
  }
}
