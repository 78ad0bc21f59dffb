import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { TOPICS } from '../../shared/topics.ts'
import { GOSSIPSUB_OPTIONS, NET_DEFAULTS } from './constants.ts'

export type BrowserNodeOptions = {
  privateKey: PrivateKey
  /**
   * On a development chain the relay is `ws://127.0.0.1`: the default browser gater denies
   * `ws://` and private addresses, so a dev node allows them. Production dials `wss://` only.
   */
  dev: boolean
}

/**
 * The tab's libp2p peer (PLATFORM.md, "libp2p 3.x"): websockets to reach the relay, a circuit
 * reservation on it so other tabs can signal us, WebRTC for direct tab-to-tab connections,
 * gossipsub for cards, views and availability, and pubsub peer discovery to find the others.
 */
export async function createBrowserNode(opts: BrowserNodeOptions) {
  // Keep hold of the discovery instance so the node can announce itself at once when its
  // circuit address appears or a new tab subscribes, instead of at the next interval.
  let discovery: { _broadcast(): void } | undefined
  const discover = pubsubPeerDiscovery({
    topics: [TOPICS.peers],
    interval: NET_DEFAULTS.announceIntervalMs,
  })
  const node = await createLibp2p({
    privateKey: opts.privateKey,
    start: false,
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [webSockets(), webRTC(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: opts.dev
      ? { denyDialMultiaddr: () => false }
      : {
          denyDialMultiaddr: (ma) =>
            ma.toString().includes('/ws/') && !ma.toString().includes('/tls/'),
        },
    connectionManager: { maxConnections: NET_DEFAULTS.maxConnections },
    peerDiscovery: [
      (components: Parameters<typeof discover>[0]) => {
        const instance = discover(components)
        discovery = instance as unknown as { _broadcast(): void }
        return instance
      },
    ],
    services: {
      identify: identify(),
      pubsub: gossipsub(GOSSIPSUB_OPTIONS),
    },
  })
  /** Announces this node's addresses on the peers topic now. */
  const announce = (): void => {
    try {
      discovery?._broadcast()
    } catch {
      // not started yet, or no pubsub peers: the interval announces later
    }
  }
  return Object.assign(node, { announce })
}

export type BrowserNode = Awaited<ReturnType<typeof createBrowserNode>>
