/**
 * The owner side of key tokens (DESIGN §4.4–4.5): follows the KeyMarket's `Transfer`,
 * `KeyDelivered` and `Refunded` events with a persisted cursor and keeps this identity's
 * tokens and vault in step with the chain:
 * - a token arriving (mint or transfer) is tracked; one arriving by a plain transfer, with no
 *   request open, gets a `requestKey` with this node's wrap key;
 * - a delivery for a tracked token is opened (HPKE) and, if this identity still owns the token,
 *   its key goes to the vault; deliveries sealed to someone else do not open and are ignored;
 * - a token leaving (transfer, resale, refund burn) deletes its key: the card shows locked.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { IDBPDatabase } from 'idb'
import type { Hex } from 'viem'
import { ChainRequestError, ChainUnreachableError } from '../../shared/errors/chain.ts'
import type { KeyVault } from '../access/vault.ts'
import { TOKENS_STORE } from '../account/db.ts'
import { keyMarketAbi } from '../chain/abi.ts'
import type { ChainContext } from '../chain/clients.ts'
import type { CursorStore } from '../chain/cursorStore.ts'
import type { SyncedLog } from '../chain/logSync.ts'
import { getKeyOwner, getListingOfToken, getTokenState } from '../chain/reads.ts'
import { requestKey } from '../chain/requestKey.ts'
import { wipe } from '../crypto/bytes.ts'
import { openContentKey } from '../crypto/hpke.ts'
import { logger } from '../log.ts'
import { type Follower, followKeyMarket } from './follow.ts'

const log = logger('keys:owner')

type OwnerLog = SyncedLog<typeof keyMarketAbi>

/** Token ids per `KeyDelivered` query: the topic filter lists them (an OR). */
const TOKENS_PER_QUERY = 100

function chunks<T>(xs: T[], n: number): T[][] {
  return Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n))
}

/** A key token this identity holds, as tracked in IndexedDB. */
export type TrackedToken = { tokenId: string; cardId: Hex; since: number }

/** What changed for a token, told to the page as a `keys.update` event. */
export type OwnerChange = {
  tokenId: bigint
  cardId: Hex
  change: 'received' | 'key' | 'requested' | 'gone'
}

export type KeyOwnerComponents = {
  chain: ChainContext
  /** This identity's X25519 wrap key pair. */
  wrapSecret: Uint8Array
  wrapPublic: Uint8Array
  vault: KeyVault
  db: IDBPDatabase
  cursors: CursorStore
  fromBlock: bigint
  onChange?: (c: OwnerChange) => void
  onError?: (err: unknown) => void
}

/** Follows this identity's key tokens; see the module comment. */
export class KeyOwner {
  private follower: Follower | null = null

  constructor(private readonly c: KeyOwnerComponents) {}

  start(): void {
    this.follower ??= followKeyMarket({
      ...this.c,
      role: 'keys-owner',
      eventNames: ['Transfer', 'KeyDelivered'],
      read: (range) => this.read(range),
      onLogs: (logs, signal) => this.apply(logs, signal),
      log,
    })
  }

  async stop(): Promise<void> {
    const f = this.follower
    this.follower = null
    await f?.stop()
  }

  /** The tokens this identity holds (as last seen on chain). */
  async tokens(): Promise<TrackedToken[]> {
    return (await this.c.db.getAll(TOKENS_STORE)) as TrackedToken[]
  }

  /** Starts tracking a token (e.g. right after `buy`, before its logs are synced). */
  async track(tokenId: bigint, cardId: Hex): Promise<void> {
    const rec: TrackedToken = { tokenId: tokenId.toString(), cardId, since: Date.now() }
    await this.c.db.put(TOKENS_STORE, rec)
  }

  /**
   * This identity's logs of a block range, in chain order: `Transfer`s to or from it, and the
   * `KeyDelivered`s of the tokens it tracks or receives in the range. Filtered by indexed
   * arguments on the node, so a tab never downloads the whole market's sales and deliveries.
   */
  async read(range: { fromBlock: bigint; toBlock: bigint }): Promise<OwnerLog[]> {
    const { publicClient, contracts, account } = this.c.chain
    const base = {
      address: contracts.keyMarket,
      abi: keyMarketAbi,
      ...range,
      strict: true as const,
    }
    const [toMe, fromMe] = await Promise.all([
      publicClient.getContractEvents({
        ...base,
        eventName: 'Transfer',
        args: { to: account.address },
      }),
      publicClient.getContractEvents({
        ...base,
        eventName: 'Transfer',
        args: { from: account.address },
      }),
    ])
    const tokens = [
      ...new Set([
        ...(await this.tokens()).map((t) => BigInt(t.tokenId)),
        ...toMe.map((l) => l.args.tokenId),
      ]),
    ]
    const delivered = await Promise.all(
      chunks(tokens, TOKENS_PER_QUERY).map((tokenId) =>
        publicClient.getContractEvents({ ...base, eventName: 'KeyDelivered', args: { tokenId } }),
      ),
    )
    const byPosition = new Map<string, OwnerLog>()
    for (const l of [...toMe, ...fromMe, ...delivered.flat()] as OwnerLog[])
      byPosition.set(`${l.blockHash}:${l.logIndex}`, l) // a transfer to oneself is in both
    return [...byPosition.values()].sort(
      (x, y) => Number(x.blockNumber - y.blockNumber) || x.logIndex - y.logIndex,
    )
  }

  /** Applies a batch of KeyMarket logs in chain order (idempotent: safe to re-apply). */
  async apply(logs: OwnerLog[], signal?: AbortSignal): Promise<void> {
    const me = this.c.chain.account.address.toLowerCase()
    const received = new Map<bigint, Hex>()
    for (const l of logs) {
      if (l.eventName === 'Transfer') {
        const { from, to, tokenId } = l.args
        if (to.toLowerCase() === me) {
          const { cardId } = await getListingOfToken(this.c.chain, { tokenId })
          await this.track(tokenId, cardId)
          if (from !== '0x0000000000000000000000000000000000000000') received.set(tokenId, cardId)
          this.c.onChange?.({ tokenId, cardId, change: 'received' })
        } else if (from.toLowerCase() === me) {
          await this.forget(tokenId)
          received.delete(tokenId)
        }
      } else if (l.eventName === 'KeyDelivered') {
        await this.openDelivery(l.args.tokenId, l.args.wrappedKey)
        received.delete(l.args.tokenId)
      }
    }
    // A token that came by a plain transfer has no open request: ask for our own delivery.
    for (const [tokenId, cardId] of received) await this.requestIfNeeded(tokenId, cardId, signal)
  }

  private async forget(tokenId: bigint): Promise<void> {
    const rec = (await this.c.db.get(TOKENS_STORE, tokenId.toString())) as TrackedToken | undefined
    await this.c.db.delete(TOKENS_STORE, tokenId.toString())
    const cards = await this.c.vault.deleteToken(tokenId)
    const cardId = rec?.cardId ?? cards[0]
    if (cardId) this.c.onChange?.({ tokenId, cardId, change: 'gone' })
  }

  private async openDelivery(tokenId: bigint, wrappedKey: Hex): Promise<void> {
    const rec = (await this.c.db.get(TOKENS_STORE, tokenId.toString())) as TrackedToken | undefined
    if (!rec) return
    let key: Uint8Array
    try {
      key = await openContentKey(
        this.c.wrapSecret,
        hexToBytes(wrappedKey.slice(2)),
        hexToBytes(rec.cardId.slice(2)),
        tokenId,
      )
    } catch {
      return // sealed to another owner of this token (an earlier or later one)
    }
    try {
      const owner = await ownerOrNull(this.c.chain, tokenId)
      if (owner?.toLowerCase() !== this.c.chain.account.address.toLowerCase()) return
      await this.c.vault.put(rec.cardId, tokenId, key)
    } finally {
      wipe(key)
    }
    log('token %s: key stored', tokenId)
    this.c.onChange?.({ tokenId, cardId: rec.cardId, change: 'key' })
  }

  private async requestIfNeeded(tokenId: bigint, cardId: Hex, signal?: AbortSignal) {
    const owner = await ownerOrNull(this.c.chain, tokenId)
    if (owner?.toLowerCase() !== this.c.chain.account.address.toLowerCase()) return
    if ((await this.c.vault.get(cardId))?.tokenId === tokenId) return
    if ((await getTokenState(this.c.chain, { tokenId })).pending) return
    await requestKey(this.c.chain, {
      tokenId,
      wrapPub: `0x${bytesToHex(this.c.wrapPublic)}`,
      ...(signal ? { signal } : {}),
    })
    this.c.onChange?.({ tokenId, cardId, change: 'requested' })
  }
}

/**
 * The token's owner; null when `ownerOf` reverts (a burned or unknown token). A chain that
 * cannot answer (down, restarting) throws instead: taken for "not the owner", it would drop a
 * delivery while the log sync's cursor moves past it; thrown, the pass fails and is read again.
 */
async function ownerOrNull(chain: ChainContext, tokenId: bigint): Promise<Hex | null> {
  try {
    return await getKeyOwner(chain, { tokenId })
  } catch (err) {
    if (err instanceof ChainUnreachableError || err instanceof ChainRequestError) throw err
    return null
  }
}
