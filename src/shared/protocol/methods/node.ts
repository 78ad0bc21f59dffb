/**
 * Page↔node RPC methods of the network (src/node/net/), declared in the table of
 * src/shared/protocol/rpc.ts; spoken by the page and the node worker.
 */

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
  /** Privacy mode is on: only the relay's circuit, no direct connections (net/privacy.ts). */
  privacy: boolean
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

export type NodeMethods = {
  'node.status': { params: undefined; result: NodeStatus }
  'node.publishGossip': { params: { topic: string; data: string }; result: { recipients: number } }
  'node.subscribe': { params: { topic: string }; result: undefined }
  'node.dial': { params: { peerId: string }; result: PeerInfo }
  /**
   * What this node has learnt of a peer's addresses (its peer store: identify and discovery),
   * and the remote address of each open connection to it. Lets a user, or a test, check what
   * a peer in privacy mode gives away.
   */
  'node.peerAddrs': {
    params: { peerId: string }
    result: { addrs: string[]; connections: string[] }
  }
}
