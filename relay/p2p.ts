import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p, type Libp2p } from 'libp2p'
import { ALL_TOPICS, MAX_GOSSIP_BYTES } from '../src/shared/topics.ts'
import { logger } from './log.ts'

const log = logger('p2p')

export type RelayNodeOptions = {
  host: string
  port: number
  privateKey: PrivateKey
  /** How many tabs may hold a circuit reservation at once. */
  maxReservations?: number
}

export type RelayNode = {
  node: Libp2p
  /** Browser-dialable addresses, each ending in `/p2p/<peerId>`. */
  multiaddrs: string[]
  stop(): Promise<void>
}

/**
 * The relay's libp2p peer: a websockets listener, a circuit-relay-v2 server (tabs reserve a
 * slot, then use it only to signal a direct WebRTC connection), identify, and a gossipsub
 * peer subscribed to every Hashcard topic so it forwards cards and announcements between tabs
 * that are not yet connected to each other.
 */
export async function startRelayNode(opts: RelayNodeOptions): Promise<RelayNode> {
  const node = await createLibp2p({
    privateKey: opts.privateKey,
    addresses: { listen: [`/ip4/${opts.host}/tcp/${opts.port}/ws`] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: 1024 },
    connectionMonitor: { enabled: true },
    services: {
      identify: identify(),
      relay: circuitRelayServer({
        reservations: { maxReservations: opts.maxReservations ?? 512, reservationTtl: 30 * 60_000 },
      }),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        maxInboundDataLength: MAX_GOSSIP_BYTES * 4,
        allowedTopics: [...ALL_TOPICS],
        // The relay is a hub: it forwards to every subscriber it knows, so a message reaches
        // tabs that are not yet in each other's mesh.
        floodPublish: true,
      }),
    },
  })
  for (const topic of ALL_TOPICS) node.services.pubsub.subscribe(topic)
  node.addEventListener('peer:connect', (e) => log('peer connected %s', e.detail.toString()))
  node.addEventListener('peer:disconnect', (e) => log('peer disconnected %s', e.detail.toString()))
  const multiaddrs = node
    .getMultiaddrs()
    .map((ma) => ma.toString())
    .filter((a) => a.includes('/ws'))
  log('listening on %s', multiaddrs.join(', '))
  return {
    node,
    multiaddrs,
    stop: async () => {
      await node.stop()
    },
  }
}
