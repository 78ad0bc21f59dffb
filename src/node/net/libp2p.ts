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
import type { TurnInfo } from '../../shared/config.ts'
import { TOPICS } from '../../shared/topics.ts'
import { GOSSIPSUB_OPTIONS, NET_DEFAULTS } from './constants.ts'
import { gaterFor, isWebRTCAddr, rtcConfigFor } from './privacy.ts'

export type BrowserNodeOptions = {
  privateKey: PrivateKey
  /**
   * On a development chain the relay is `ws://127.0.0.1`: the default browser gater denies
   * `ws://` and private addresses, so a dev node allows them. Production dials `wss://` only.
   */
  dev: boolean
  /** Privacy mode (privacy.ts): only the relay's circuit, no WebRTC, no own address announced. */
  privacy?: boolean
  /**
   * The relay's TURN server, read for each new connection (its credentials are refreshed:
   * turnCredentials.ts): the only ICE server of WebRTC in privacy mode.
   */
  turn?: () => TurnInfo | undefined
}

/**
 * The WebRTC transport's options: in privacy mode an `rtcConfiguration` function, which
 * @libp2p/webrtc calls for each connection it dials or accepts (`getRtcConfiguration`), so
 * refreshed TURN credentials reach the next connection.
 */
export function webRTCInit(opts: Pick<BrowserNodeOptions, 'privacy' | 'turn'>): {
  rtcConfiguration?: () => RTCConfiguration
} {
  return opts.privacy ? { rtcConfiguration: () => rtcConfigFor(true, opts.turn?.()) } : {}
}

/**
 * The tab's libp2p peer (PLATFORM.md, "libp2p 3.x"): websockets to reach the relay, a circuit
 * reservation on it so other tabs can signal us, WebRTC for direct tab-to-tab connections,
 * gossipsub for cards, views and availability, and pubsub peer discovery to find the others.
 * In privacy mode (privacy.ts) it listens on the circuit only, announces only circuit
 * addresses, and its WebRTC transport — kept so nothing can fall back to defaults — gathers
 * relayed candidates only and is gated shut.
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
    addresses: opts.privacy
      ? {
          listen: ['/p2p-circuit'],
          // Never an observed or other own address: only the relay's circuit to reach us by.
          announceFilter: (addrs) =>
            addrs.filter((a) => a.toString().includes('/p2p-circuit') && !isWebRTCAddr(`${a}`)),
        }
      : { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [webSockets(), webRTC(webRTCInit(opts)), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: gaterFor(opts),
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
