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
  /** Whether this profile has an identity, and its public parts. */
  'identity.state': {
    params: undefined
    result:
      | { state: 'none' }
      | { state: 'ready'; address: `0x${string}`; peerId: string; wrapPublic: string }
  }
  /** A new random mnemonic, held in the worker until `identity.confirm` (not stored yet). */
  'identity.create': {
    params: { words?: 12 | 24 }
    result: { mnemonic: string; address: `0x${string}` }
  }
  /** Checks words of the pending mnemonic (1-based positions), then stores the identity. */
  'identity.confirm': {
    params: { words: { position: number; word: string }[] }
    result: { address: `0x${string}`; peerId: string; wrapPublic: string }
  }
  /** Restores from a mnemonic; MnemonicError names the unknown word or the failed checksum. */
  'identity.restore': {
    params: { mnemonic: string; replace?: boolean }
    result: { address: `0x${string}`; peerId: string; wrapPublic: string }
  }
  /** Restores from a backup file's text; BackupFormatError or WrongPassphraseError. */
  'identity.importBackup': {
    params: { text: string; passphrase: string; replace?: boolean }
    result: { address: `0x${string}`; peerId: string; wrapPublic: string }
  }
  /** The stored mnemonic, for the user to write down (the UI asks for confirmation first). */
  'identity.exportMnemonic': { params: undefined; result: { mnemonic: string } }
  /** A passphrase-encrypted backup file (scrypt + AES-256-GCM, JSON). */
  'identity.exportBackup': {
    params: { passphrase: string }
    result: { fileName: string; text: string }
  }
  /** Storage use and quota (`navigator.storage.estimate()`), and whether storage is persistent. */
  'store.estimate': {
    params: undefined
    result: { usage: number; quota: number; storeBytes: number; persisted: boolean }
  }
  /** Asks for persistent storage (`navigator.storage.persist()`). */
  'store.persist': { params: undefined; result: { persisted: boolean } }
  /** Encrypts and stores a file (DESIGN §4.1); QuotaExceededError before any work if it cannot fit. */
  'store.publishFile': {
    params: { file: Blob; name?: string; mime?: string; sliceSize?: number; resumeId?: string }
    result: {
      id: string
      size: number
      sliceSize: number
      count: number
      cipherSize: number
      /** Hex, 16 bytes. */
      contentSalt: string
      /** Hex, 32 bytes (merkle.ts). */
      contentRoot: string
    }
  }
  /** Every stored item with how many of its slices are present. */
  'store.items': {
    params: undefined
    result: {
      id: string
      name?: string | undefined
      mime?: string | undefined
      size: number
      count: number
      present: number
      state: 'publishing' | 'partial' | 'complete'
      contentRoot: string | null
    }[]
  }
  /** Decrypted bytes [start, end) of one of this identity's own items (small ranges). */
  'store.read': {
    params: { id: string; start: number; end: number }
    result: Uint8Array
  }
  /** Deletes an item and its file. */
  'store.remove': { params: { id: string }; result: undefined }
  // --- chain (contracts) ---
  // --- swarm / streaming ---
  // --- feed / cards ---
  // --- keys / wallet ---
}

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
