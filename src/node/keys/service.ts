/**
 * The keys service (DESIGN §1 `keys/`, §4.4–4.5): key purchases and deliveries on top of the
 * account (who acts on-chain, its database) and access (which content keys this node holds).
 * For each account context it runs the key agent (agent.ts: delivers the keys of this
 * creator's cards to buyers) and the owner follower (owner.ts: keeps the vault in step with
 * the tokens this account holds), and starts them again when the account changes.
 */
import type { IDBPDatabase } from 'idb'
import { type Hex, hexToBytes } from 'viem'
import type { ChainConfig } from '../../shared/config.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import type { KeyVault } from '../access/vault.ts'
import { WAITING_STORE } from '../account/db.ts'
import type { AccountContext, AccountService } from '../account/service.ts'
import type { ChainContext } from '../chain/clients.ts'
import { logger } from '../log.ts'
import type { Registrar } from '../rpc/server.ts'
import { KeyAgent, type KeyRequest, type WaitingStore } from './agent.ts'
import { createKeysHandlers } from './handlers.ts'
import { KeyOwner } from './owner.ts'
import { createWalletHandlers } from './wallet.ts'

const log = logger('keys')

export type KeysServiceComponents = {
  account: {
    context(): Promise<AccountContext | null>
    require(): Promise<AccountContext>
    onChange(fn: () => Promise<void>): () => void
  }
  access: {
    vault(): Promise<KeyVault | null>
    derivedKeyOf(cardId: Hex): Promise<Uint8Array | null>
    /** Calls `fn` when a card becomes known (its item or salt): requests waiting for it go on. */
    onCardKnown?(fn: () => Promise<void>): () => void
  }
  emit: (event: NodeEvent) => void
}

/** What the factory needs besides: where to register `keys.*` and `wallet.*`. */
export type KeysFactoryComponents = KeysServiceComponents & {
  account: AccountService
  rpc?: Registrar
}

/** Everything the handlers need for one account on one chain. */
export type KeysSession = {
  chain: ChainContext
  config: ChainConfig
  wrapPublic: Hex
  vault: KeyVault
  agent: KeyAgent
  owner: KeyOwner
  db: IDBPDatabase
}

/**
 * Factory in the libp2p style: `keysService()(components)`; registers the `keys.*` and the
 * `wallet.*` handlers (the wallet acts as the account, its handlers live in wallet.ts).
 */
export function keysService() {
  return (c: KeysFactoryComponents) => {
    const keys = new KeysService(c)
    c.rpc?.register(createKeysHandlers(keys))
    c.rpc?.register(createWalletHandlers(c.account))
    return keys
  }
}

export class KeysService {
  private current: Promise<KeysSession | null> | null = null
  private off: (() => void) | null = null
  private offCard: (() => void) | null = null

  constructor(private readonly c: KeysServiceComponents) {}

  async start(): Promise<void> {
    this.off ??= this.c.account.onChange(() => this.restart())
    this.offCard ??= this.c.access.onCardKnown?.(() => this.retryWaiting()) ?? null
    await this.session().catch((err: Error) => log.warn('not started: %s', err.message))
  }

  async stop(): Promise<void> {
    this.off?.()
    this.offCard?.()
    this.off = null
    this.offCard = null
    await this.close()
  }

  /** Stops the running session, if any, and starts one for the current account. */
  async restart(): Promise<void> {
    await this.close()
    await this.session().catch((err: Error) => log.warn('not started: %s', err.message))
  }

  /** The running session, or null when there is no chain or no identity. */
  session(): Promise<KeysSession | null> {
    this.current ??= this.open().catch((err: unknown) => {
      this.current = null
      throw err
    })
    return this.current
  }

  /** The running session, or KeysUnavailableError (from the account). */
  async require(): Promise<KeysSession> {
    const s = await this.session()
    if (s) return s
    await this.c.account.require() // throws, saying why
    throw new Error('unreachable: an account without a keys session')
  }

  /** Retries the key requests that waited for a card this node now knows. */
  async retryWaiting(): Promise<void> {
    const s = await this.session().catch(() => null)
    if (s && s.agent.waiting.size > 0) await s.agent.retry().catch(() => {})
  }

  private async close(): Promise<void> {
    const old = this.current
    this.current = null
    const s = await old?.catch(() => null)
    if (s) await Promise.all([s.agent.stop(), s.owner.stop()])
  }

  private async open(): Promise<KeysSession | null> {
    const ctx = await this.c.account.context()
    const vault = await this.c.access.vault()
    if (!ctx || !vault) return null
    const { chain, db, cursors } = ctx
    const fromBlock = BigInt(ctx.config.deployBlock)
    const emit = this.c.emit
    const agent = new KeyAgent({
      chain,
      keyOf: (cardId) => this.c.access.derivedKeyOf(cardId),
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
      wrapSecret: ctx.wrapSecret,
      wrapPublic: hexToBytes(ctx.wrapPublic),
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
    log('started for %s on chain %d', chain.account.address, ctx.config.chainId)
    return { chain, config: ctx.config, wrapPublic: ctx.wrapPublic, vault, agent, owner, db }
  }
}

type WaitingRecord = { tokenId: string; cardId: Hex; owner: Hex; wrapPub: Hex }

/** The agent's waiting requests in the account's database. */
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
