/**
 * The keys service of the node worker (DESIGN §1 `keys/`): wires the key agent (agent.ts), the
 * owner follower (owner.ts), the key vault (vault.ts) and the card source (cardSource.ts) for
 * the current identity and chain. `start()` runs when the profile has an identity and
 * `config.chain` is set; `restart()` after the identity changed.
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
import { getCreatorOf } from '../chain/reads.ts'
import { deriveContentKey } from '../crypto/content.ts'
import type { IdentityService } from '../crypto/identityService.ts'
import { logger } from '../log.ts'
import type { SliceStore } from '../store/sliceStore.ts'
import { KeyAgent, type KeyRequest, type WaitingStore } from './agent.ts'
import {
  type CardRegistration,
  createStoreCardSource,
  type RegistryCardSource,
} from './cardSource.ts'
import { openKeysDb, WAITING_STORE } from './db.ts'
import { deriveExternalWrapKey, EXTERNAL_WRAP_MESSAGE, WalletBridge } from './external.ts'
import { clearExternalChoice, loadExternalChoice, saveExternalChoice } from './externalChoice.ts'
import { KeyOwner } from './owner.ts'
import { createKeyVault, type KeyVault } from './vault.ts'

const log = logger('keys')

export type KeysServiceComponents = {
  identity: IdentityService
  store: () => Promise<SliceStore>
  /** Where `keys.*` events go (also settable later with {@link KeysService.setEmitter}). */
  emit?: (event: NodeEvent) => void
}

/** Everything the handlers need for one identity on one chain. */
export type KeysSession = {
  chain: ChainContext
  config: ChainConfig
  wrapPublic: Hex
  vault: KeyVault
  cards: RegistryCardSource
  agent: KeyAgent
  owner: KeyOwner
  db: IDBPDatabase
  /** This identity's content master (the creator's own cards derive from it). */
  contentMaster: Uint8Array
}

/** Factory in the libp2p style: `keysService(components)`. */
export function keysService(components: KeysServiceComponents): KeysService {
  return new KeysService(components)
}

export class KeysService {
  private config: ChainConfig | null = null
  private current: Promise<KeysSession | null> | null = null
  private cursors: Promise<CursorStore> | null = null
  private creators = new Map<string, string>()

  private emitter: (event: NodeEvent) => void
  /** The external wallet in use, for the identity `owner` (its address). */
  private external: {
    owner: Address
    address: Address
    wrapSecret: Uint8Array
    wrapPublic: Uint8Array
  } | null = null
  /** The identity whose remembered wallet choice was last looked up (externalChoice.ts). */
  private restoredFor: Address | null = null
  /** The page↔worker path to an external wallet (external.ts). */
  readonly bridge = new WalletBridge((e) => this.emitter(e))

  constructor(private readonly c: KeysServiceComponents) {
    this.emitter = c.emit ?? (() => {})
  }

  /** Sends `keys.*` events to `emit` (the worker's RPC server). */
  setEmitter(emit: (event: NodeEvent) => void): void {
    this.emitter = emit
  }

  /** Whether on-chain actions go through an external wallet. */
  get usesExternal(): boolean {
    return this.external !== null
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

  /** Sets the chain (null: keys are unavailable) and starts if an identity exists. */
  configure(config: ChainConfig | null): void {
    this.config = config
    void this.restart()
  }

  /** Stops the running session, if any, and starts one for the current identity. */
  async restart(): Promise<void> {
    const old = this.current
    this.current = null
    const s = await old?.catch(() => null)
    if (s) {
      await Promise.all([s.agent.stop(), s.owner.stop()])
      s.db.close()
    }
    this.creators.clear()
    await this.session().catch((err: Error) => log.warn('not started: %s', err.message))
  }

  async stop(): Promise<void> {
    const s = await this.current?.catch(() => null)
    this.current = null
    if (s) await Promise.all([s.agent.stop(), s.owner.stop()])
  }

  /** The running session, or null when there is no chain or no identity. */
  session(): Promise<KeysSession | null> {
    this.current ??= this.open().catch((err: unknown) => {
      this.current = null
      throw err
    })
    return this.current
  }

  /** The running session, or {@link KeysUnavailableError}. */
  async require(): Promise<KeysSession> {
    const s = await this.session()
    if (!s)
      throw new KeysUnavailableError('Keys need a chain and an identity.', {
        details: this.config ? 'no identity yet' : 'config.chain is null',
      })
    return s
  }

  /**
   * Node-internal form of `keys.registerCard` (cardSource.ts) for worker code such as the feed's
   * publish flow: records where the card's content salt is and retries requests waiting for it.
   * @example await keys.registerCard({ cardId, itemId }) // after store + post, before or after list
   */
  async registerCard(reg: CardRegistration): Promise<void> {
    const s = await this.require()
    await s.cards.register(reg)
    if (s.agent.waiting.size > 0) await s.agent.retry().catch(() => {})
  }

  /**
   * The raw content key of `cardId` for the stream path (node-internal; never sent to the page):
   * from the vault for a bought card, derived for the creator's own card; null otherwise.
   * @example const key = await keys.contentKey(cardId) // then sliceCipher(key, salt)
   */
  async contentKey(cardId: Hex): Promise<Uint8Array | null> {
    const s = await this.session().catch(() => null)
    if (!s) return null
    const id = cardId.toLowerCase() as Hex
    const held = await s.vault.get(id)
    if (held) return held.key
    const salt = await s.cards.contentSaltOf(id)
    if (!salt) return null
    if (!this.creators.has(id)) this.creators.set(id, await getCreatorOf(s.chain, { cardId: id }))
    if (this.creators.get(id)?.toLowerCase() !== s.chain.account.address.toLowerCase()) return null
    return deriveContentKey(s.contentMaster, salt)
  }

  private async open(): Promise<KeysSession | null> {
    const config = this.config
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
    const vault = createKeyVault(db)
    const cards = createStoreCardSource({ db, store: this.c.store })
    const fromBlock = BigInt(config.deployBlock)
    const emit = (e: NodeEvent): void => this.emitter(e)
    const agent = new KeyAgent({
      chain,
      contentMaster: id.contentMaster,
      cards,
      cursors,
      fromBlock,
      waitingStore: waitingStore(db),
      onOutcome: (req, outcome) =>
        emit({
          kind: 'keys.agent',
          tokenId: req.tokenId.toString(),
          cardId: req.cardId,
          outcome,
        }),
    })
    const owner = new KeyOwner({
      chain,
      wrapSecret: wrap.wrapSecret,
      wrapPublic: wrap.wrapPublic,
      vault,
      db,
      cursors,
      fromBlock,
      onChange: (ch) =>
        emit({
          kind: 'keys.update',
          tokenId: ch.tokenId.toString(),
          cardId: ch.cardId,
          change: ch.change,
        }),
    })
    agent.start()
    owner.start()
    log('started for %s on chain %d', id.address, config.chainId)
    return {
      chain,
      config,
      wrapPublic: `0x${bytesToHex(wrap.wrapPublic)}`,
      vault,
      cards,
      agent,
      owner,
      db,
      contentMaster: id.contentMaster,
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

/** Checks an EVM address (0x + 40 hex digits). */
export function isAddressLike(value: unknown): value is Address {
  return typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value)
}

type WaitingRecord = { tokenId: string; cardId: Hex; owner: Hex; wrapPub: Hex }

/** The agent's waiting requests in the keys database. */
function waitingStore(db: IDBPDatabase): WaitingStore {
  return {
    put: async (r: KeyRequest) => {
      const rec: WaitingRecord = { ...r, tokenId: r.tokenId.toString() }
      await db.put(WAITING_STORE, rec)
    },
    delete: (tokenId) => db.delete(WAITING_STORE, tokenId.toString()),
    all: async () =>
      ((await db.getAll(WAITING_STORE)) as WaitingRecord[]).map((r) => ({
        ...r,
        tokenId: BigInt(r.tokenId),
      })),
  }
}
