/**
 * The key agent (DESIGN §4.4–4.5): a service of the creator's node (or of a delegate the
 * creator named in `list`). It follows `KeyRequested` events addressed to its account through
 * `logSync` with a persisted cursor, so after the tab was closed it catches up on every request
 * it missed. For each request it checks the chain — the token's request is still open and the
 * requester is still `ownerOf` the token — derives the card's content key, seals it (HPKE) to
 * the requester's wrap key for (cardId, tokenId) and calls `deliver`. No oracle, no voting:
 * the owner record on chain is the only authority, and a past owner is never served.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type { Hex } from 'viem'
import { NoPendingRequestError } from '../../shared/errors/chain.ts'
import type { keyMarketAbi } from '../chain/abi.ts'
import type { ChainContext } from '../chain/clients.ts'
import type { CursorStore } from '../chain/cursorStore.ts'
import { deliverKey } from '../chain/deliverKey.ts'
import type { SyncedLog } from '../chain/logSync.ts'
import { getKeyOwner, getTokenState } from '../chain/reads.ts'
import { wipe } from '../crypto/bytes.ts'
import { sealContentKey } from '../crypto/hpke.ts'
import { logger } from '../log.ts'
import { type Follower, followKeyMarket } from './follow.ts'

const log = logger('keys:agent')

/** One key request as the KeyMarket emitted it. */
export type KeyRequest = { tokenId: bigint; cardId: Hex; owner: Hex; wrapPub: Hex }

/** Persistence of the requests waiting for their card (db.ts `agent-waiting`). */
export type WaitingStore = {
  put(req: KeyRequest): Promise<void>
  delete(tokenId: bigint): Promise<void>
  all(): Promise<KeyRequest[]>
}

/** What the agent did with a request. */
export type AgentOutcome =
  | 'delivered'
  /** Already answered, or the token changed hands since (the request was closed). */
  | 'not-pending'
  /** The requester no longer owns the token: never deliver to a past owner. */
  | 'past-owner'
  /** The token was burned (refunded). */
  | 'burned'
  /** This node does not know the card's content salt yet (src/node/access/cardMap.ts). */
  | 'unknown-card'

export type KeyAgentComponents = {
  /** The agent's account signs `deliver`; it must be the listing's `keyAgent`. */
  chain: ChainContext
  /**
   * The content key this node derives for a card (access.derivedKeyOf), null while the card's
   * salt is unknown. The caller's copy is wiped after sealing.
   */
  keyOf(cardId: Hex): Promise<Uint8Array | null>
  cursors: CursorStore
  /** The KeyMarket's deployment block (where the first sync starts). */
  fromBlock: bigint
  /** Told about every request handled. */
  onOutcome?: (req: KeyRequest, outcome: AgentOutcome) => void
  /** Keeps requests for unknown cards across restarts (default: memory only). */
  waitingStore?: WaitingStore
  onError?: (err: unknown) => void
}

/**
 * Serves one key request: checks the chain, seals and delivers, or says why not.
 * Throws chain errors other than a closed request (the caller retries later).
 * @example const outcome = await serveKeyRequest(components, req, { signal })
 */
export async function serveKeyRequest(
  c: Pick<KeyAgentComponents, 'chain' | 'keyOf'>,
  req: KeyRequest,
  options: { signal?: AbortSignal } = {},
): Promise<AgentOutcome> {
  const state = await getTokenState(c.chain, { tokenId: req.tokenId })
  if (!state.pending) return 'not-pending'
  let owner: Hex
  try {
    owner = await getKeyOwner(c.chain, { tokenId: req.tokenId })
  } catch {
    return 'burned'
  }
  if (owner.toLowerCase() !== req.owner.toLowerCase()) return 'past-owner'
  const key = await c.keyOf(req.cardId)
  if (!key) return 'unknown-card'
  let wrapped: Uint8Array
  try {
    wrapped = await sealContentKey(
      hexToBytes(req.wrapPub.slice(2)),
      key,
      hexToBytes(req.cardId.slice(2)),
      req.tokenId,
    )
  } finally {
    wipe(key)
  }
  // The seal took time: the owner record decides at delivery time, not at request time.
  const ownerNow = await getKeyOwner(c.chain, { tokenId: req.tokenId }).catch(() => null)
  if (ownerNow?.toLowerCase() !== req.owner.toLowerCase()) return 'past-owner'
  try {
    // viem encodes `bytes` from hex only (deliverKey's Uint8Array form throws in viem 2.57).
    const wrappedKey: Hex = `0x${bytesToHex(wrapped)}`
    await deliverKey(c.chain, { tokenId: req.tokenId, wrappedKey, ...options })
  } catch (err) {
    if (err instanceof NoPendingRequestError) return 'not-pending'
    throw err
  }
  return 'delivered'
}

/** The newest request per token among `logs` addressed to `agent` (older ones are superseded). */
export function latestRequests(logs: SyncedLog<typeof keyMarketAbi>[], agent: Hex): KeyRequest[] {
  const byToken = new Map<bigint, KeyRequest>()
  for (const l of logs) {
    if (l.eventName !== 'KeyRequested') continue
    const a = l.args
    if (a.keyAgent.toLowerCase() !== agent.toLowerCase()) continue
    byToken.set(a.tokenId, {
      tokenId: a.tokenId,
      cardId: a.cardId,
      owner: a.owner,
      wrapPub: a.wrapPub,
    })
  }
  return [...byToken.values()]
}

/**
 * The agent service: `start()` follows the chain until `stop()`. Requests it cannot serve yet
 * (unknown card) are kept and retried by {@link KeyAgent.retry} (after `keys.registerCard`).
 */
export class KeyAgent {
  private follower: Follower | null = null
  /** Requests waiting for their card to become known, by token id. */
  readonly waiting = new Map<bigint, KeyRequest>()

  constructor(private readonly c: KeyAgentComponents) {}

  start(): void {
    if (this.follower) return
    void this.c.waitingStore
      ?.all()
      .then((reqs) => {
        for (const r of reqs) this.waiting.set(r.tokenId, r)
      })
      .catch(() => {})
    const me = this.c.chain.account.address
    this.follower = followKeyMarket({
      ...this.c,
      role: 'keys-agent',
      eventNames: ['KeyRequested'],
      onLogs: (logs, signal) => this.serveAll(latestRequests(logs, me), signal),
      log,
    })
  }

  async stop(): Promise<void> {
    const f = this.follower
    this.follower = null
    await f?.stop()
  }

  /** Retries the requests that waited for an unknown card. */
  async retry(signal?: AbortSignal): Promise<void> {
    await this.serveAll([...this.waiting.values()], signal)
  }

  /** Serves requests in order; a chain failure throws so the sync pass is retried. */
  private async serveAll(reqs: KeyRequest[], signal?: AbortSignal): Promise<void> {
    for (const req of reqs) {
      const outcome = await serveKeyRequest(this.c, req, signal ? { signal } : {})
      log('token %s: %s', req.tokenId, outcome)
      if (outcome === 'unknown-card') {
        this.waiting.set(req.tokenId, req)
        await this.c.waitingStore?.put(req)
      } else {
        this.waiting.delete(req.tokenId)
        await this.c.waitingStore?.delete(req.tokenId)
      }
      this.c.onOutcome?.(req, outcome)
    }
  }
}
