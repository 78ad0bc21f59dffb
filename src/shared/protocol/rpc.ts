/**
 * Page↔node RPC: the one request/reply protocol between the UI (page) and the node worker,
 * spoken over the worker's port (which also carries the init message, protocol/init.ts, and the
 * content-port handover; their `type` literals differ from these). Every method is declared in
 * {@link RpcMethods}; {@link RpcRequest} and {@link RpcReply} are the discriminated unions
 * that cross `postMessage`. Requests carry ids; an `abort` message cancels one; errors cross
 * as {@link SerializedError} and are rebuilt into the `BaseError` family on arrival.
 */

import type { FeedCard } from '../card/feed.ts'
import type { SerializedError } from '../errors/wire.ts'
import type { ActivityEvent, ActivityMethods } from './methods/activity.ts'
import type { AvailabilityMethods } from './methods/availability.ts'
import type { ContentMethods } from './methods/content.ts'
import type { FeedMethods } from './methods/feed.ts'
import type { IdentityMethods } from './methods/identity.ts'
import type { KeysMethods } from './methods/keys.ts'
import type { GossipMessage, NodeMethods, NodeStatus } from './methods/node.ts'
import type { PayEvent, PayMethods } from './methods/pay.ts'
import type { PreviewMethods } from './methods/preview.ts'
import type { SeedMethods } from './methods/seed.ts'
import type { SpendMethods, SpendQuote } from './methods/spend.ts'
import type { StoreMethods } from './methods/store.ts'
import type { SwarmMethods, SwarmStats } from './methods/swarm.ts'
import type { WalletMethods } from './methods/wallet.ts'

/**
 * Method name → params and result. Each domain owns its table under methods/; keep names
 * `domain.verb`.
 */
export type RpcMethods = NodeMethods &
  IdentityMethods &
  StoreMethods &
  SwarmMethods &
  ContentMethods &
  PreviewMethods &
  FeedMethods &
  KeysMethods &
  WalletMethods &
  PayMethods &
  SeedMethods &
  AvailabilityMethods &
  SpendMethods &
  ActivityMethods

export type RpcMethod = keyof RpcMethods
export type RpcParams<M extends RpcMethod> = RpcMethods[M]['params']
export type RpcResult<M extends RpcMethod> = RpcMethods[M]['result']

/**
 * Events the node pushes to every page without a request. Domains add their kinds at the end,
 * each prefixed with the domain (`swarm.progress`, `feed.card`, …).
 */
export type NodeEvent =
  | { kind: 'status'; status: NodeStatus }
  | { kind: 'gossip'; message: GossipMessage }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { kind: 'swarm.stats'; stats: SwarmStats }
  | { kind: 'swarm.banned'; infoHash: string; peerId: string }
  | { kind: 'feed.cards'; cards: FeedCard[] }
  /** Follows of these creators changed (their follower counts, who follows them). */
  | { kind: 'feed.follows'; creators: `0x${string}`[] }
  /** These addresses posted a profile card (gossiped or mined): their names may have changed. */
  | { kind: 'feed.people'; addresses: `0x${string}`[] }
  | {
      kind: 'feed.publish'
      jobId: string
      stage: 'pack' | 'store' | 'seed' | 'sign' | 'post' | 'list' | 'done'
      done: number
      total: number
    }
  | {
      kind: 'keys.update'
      tokenId: string
      cardId: string
      change: 'received' | 'key' | 'requested' | 'gone'
    }
  | {
      kind: 'keys.agent'
      tokenId: string
      cardId: string
      outcome: 'delivered' | 'not-pending' | 'past-owner' | 'burned' | 'unknown-card'
    }
  /**
   * The node is about to send a transaction for the page's request `request` (made with
   * `confirm`); answer with `spend.answer { id, ok }`. Sent to that page only.
   */
  | { kind: 'spend.confirm'; id: number; request: number; quote: SpendQuote }
  /** The worker asks the page's EIP-1193 wallet; answer with `wallet.reply`. */
  | { kind: 'keys.walletRequest'; id: number; method: string; params: unknown[] }
  | PayEvent
  | ActivityEvent

/** `confirm`: ask the page before sending any transaction (methods/spend.ts). */
export type RpcRequest = {
  [M in RpcMethod]: {
    type: 'request'
    id: number
    method: M
    params: RpcParams<M>
    confirm?: boolean
  }
}[RpcMethod]

export type RpcAbort = { type: 'abort'; id: number }

export type RpcReply =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'event'; event: NodeEvent }

export type ToNode = RpcRequest | RpcAbort
export type FromNode = RpcReply
