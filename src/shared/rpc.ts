/**
 * The one protocol between the UI (page) and the node worker. Every method is declared in
 * {@link RpcMethods}; {@link RpcRequest} and {@link RpcReply} are the discriminated unions
 * that cross `postMessage`. Requests carry ids; an `abort` message cancels one; errors cross
 * as {@link SerializedError} and are rebuilt into the `BaseError` family on arrival.
 */
import type { SerializedError } from './errors.ts'

/** What the UI shows about the node: its peer id, the relay and connected peers. */
export type NodeStatus = {
  peerId: string
  relay: {
    state: 'connecting' | 'connected' | 'offline'
    addr?: string | undefined
    reservation?: string | undefined
  }
  peers: PeerInfo[]
  listenAddrs: string[]
}

export type PeerInfo = {
  peerId: string
  /** Multiaddr of the open connection; contains `/webrtc` (direct) or `/p2p-circuit` (relayed). */
  addr: string
  direct: boolean
  /** True for the relay itself. */
  relay: boolean
}

export type GossipMessage = { topic: string; from: string; data: string; receivedAt: number }

/**
 * Method name → params and result. Each domain owns its section; keep names `domain.verb`.
 */
export type RpcMethods = {
  // --- node (foundation) ---
  'node.status': { params: undefined; result: NodeStatus }
  'node.publishGossip': { params: { topic: string; data: string }; result: { recipients: number } }
  'node.subscribe': { params: { topic: string }; result: undefined }
  'node.dial': { params: { peerId: string }; result: PeerInfo }
  // --- identity / store (content core) ---
  // --- chain (contracts) ---
}

export type RpcMethod = keyof RpcMethods
export type RpcParams<M extends RpcMethod> = RpcMethods[M]['params']
export type RpcResult<M extends RpcMethod> = RpcMethods[M]['result']

/** Events the node pushes to every page without a request. */
export type NodeEvent =
  | { kind: 'status'; status: NodeStatus }
  | { kind: 'gossip'; message: GossipMessage }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string }

export type RpcRequest = {
  [M in RpcMethod]: { type: 'request'; id: number; method: M; params: RpcParams<M> }
}[RpcMethod]

export type RpcAbort = { type: 'abort'; id: number }

export type RpcReply =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'event'; event: NodeEvent }

export type ToNode = RpcRequest | RpcAbort
export type FromNode = RpcReply
