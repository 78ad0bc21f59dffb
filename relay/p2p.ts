import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { type GossipsubOpts, gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { webSockets } from '@libp2p/websockets'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'
import { ALL_TOPICS, MAX_GOSSIP_BYTES } from '../src/shared/topics.ts'
import { createGossipGuard, type GossipGuard, GRAYLIST_THRESHOLD } from './gossipGuard.ts'
import {
  type LimitStats,
  type PausableSocket,
  ReadBudget,
  type RelayLimits,
  yieldingEvery,
} from './limits.ts'
import { logger } from './log.ts'

const log = logger('p2p')

export type RelayNodeOptions = {
  host: string
  port: number
  privateKey: PrivateKey
  limits: RelayLimits
  /** Counters the limits add to. */
  stats: LimitStats
}

export type RelayNode = {
  node: Libp2p
  /** Browser-dialable addresses, each ending in `/p2p/<peerId>`. */
  multiaddrs: string[]
  /** Connections, reservations and graylisted peers now. */
  gauges(): {
    /** Times a connection's socket was paused for reading over its budget or the total. */
    readsPaused: number
    connections: number
    reservations: number
    graylisted: number
  }
  stop(): Promise<void>
}

/** The IP address of a connection's remote end, or '' for a non-IP address. */
export function hostOf(ma: Multiaddr): string {
  const c = ma.getComponents()[0]
  return c && (c.name === 'ip4' || c.name === 'ip6') ? (c.value ?? '') : ''
}

/** The part of gossipsub's class the guard hooks into (@libp2p/gossipsub 17). */
type MessageHandler = { handleReceivedMessage(from: PeerId, msg: unknown): Promise<void> }

/**
 * gossipsub whose every received message first meets {@link GossipGuard.overBudget}: a peer
 * already over its budget has its message dropped before the signature check, the message id,
 * the IDONTWANTs and the topic validator — the work a flood would otherwise buy; and the rest
 * are worked through in slices of `sliceMs` (see {@link yieldingEvery}), quiet peers' first.
 */
function guardedGossipsub(guard: GossipGuard, sliceMs: number, init: Partial<GossipsubOpts>) {
  const make = gossipsub(init)
  return (components: Parameters<typeof make>[0]) => {
    const pubsub = make(components)
    const hook = pubsub as unknown as MessageHandler
    if (typeof hook.handleReceivedMessage !== 'function')
      throw new Error('@libp2p/gossipsub has no handleReceivedMessage: the gossip guard needs v17')
    const handle = yieldingEvery(sliceMs, hook.handleReceivedMessage.bind(pubsub), {
      urgent: (from) => guard.isQuiet(from.toString()),
    })
    hook.handleReceivedMessage = (from, msg) =>
      guard.overBudget(from.toString()) ? Promise.resolve() : handle(from, msg)
    return pubsub
  }
}

/**
 * The relay's libp2p peer: a websockets listener, a circuit-relay-v2 server (tabs reserve a
 * slot, then use it only to signal a direct WebRTC connection), identify, and a gossipsub
 * peer subscribed to every Hashcard topic so it forwards cards and announcements between tabs
 * that are not yet connected to each other.
 *
 * Limits (relay/limits.ts): the connection manager caps connections, handshakes in progress
 * and new connections per IP per second; the gater caps open connections and reservations
 * per IP; circuit reservations keep the library's data and duration limits (they carry only
 * signalling); gossip has per-peer budgets enforced through gossipsub's scoring
 * (relay/gossipGuard.ts).
 */
export async function startRelayNode(opts: RelayNodeOptions): Promise<RelayNode> {
  const { limits, stats } = opts
  const guard = createGossipGuard(limits, stats)
  let node: Libp2p<{ relay: ReturnType<ReturnType<typeof circuitRelayServer>> }> | undefined
  const connectionsFrom = (host: string) =>
    node?.getConnections().filter((c) => hostOf(c.remoteAddr) === host).length ?? 0
  const hostOfPeer = (peer: PeerId) => {
    const conn = node?.getConnections(peer)[0]
    return conn ? hostOf(conn.remoteAddr) : ''
  }
  // The websockets transport's connection keeps its `ws` socket in `websocket` (@libp2p/websockets
  // 10); its reads get the connection's byte budget before the upgrade (the handshake counts).
  const reads = new ReadBudget({
    perSocket: {
      capacity: limits.connectionReadByteBurst,
      perSecond: limits.connectionReadBytesPerSecond,
    },
    total: { capacity: limits.readTotalByteBurst, perSecond: limits.readTotalBytesPerSecond },
    quiet: { capacity: limits.readQuietBytes, perSecond: limits.readQuietBytesPerSecond },
    quietShare: limits.readQuietShareOfSent,
  })
  const readWithinBudget = (maConn: object) => {
    const socket = (maConn as { websocket?: Partial<PausableSocket> }).websocket
    if (
      typeof socket?.pause !== 'function' ||
      typeof socket.on !== 'function' ||
      typeof socket.send !== 'function'
    ) {
      log.warn('a connection with no pausable websocket: its reads are not budgeted')
      return
    }
    reads.attach(socket as PausableSocket)
  }
  const libp2p = await createLibp2p({
    privateKey: opts.privateKey,
    addresses: { listen: [`/ip4/${opts.host}/tcp/${opts.port}/ws`] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: limits.maxConnections,
      inboundConnectionThreshold: limits.connectionsPerIpPerSecond,
      maxIncomingPendingConnections: limits.maxPendingConnections,
    },
    connectionGater: {
      denyInboundConnection(maConn) {
        const host = hostOf(maConn.remoteAddr)
        const deny = host !== '' && connectionsFrom(host) >= limits.maxConnectionsPerIp
        if (deny) stats.connectionsRefused++
        else readWithinBudget(maConn)
        return deny
      },
      denyInboundRelayReservation(source) {
        const reservations = node?.services.relay.reservations
        if (!reservations || reservations.has(source)) return false // a renewal
        const host = hostOfPeer(source)
        let fromHost = 0
        for (const peer of reservations.keys()) if (hostOfPeer(peer) === host) fromHost++
        const deny = fromHost >= limits.maxReservationsPerIp
        if (deny) stats.reservationsRefused++
        return deny
      },
    },
    connectionMonitor: { enabled: true },
    services: {
      identify: identify(),
      relay: circuitRelayServer({
        reservations: { maxReservations: limits.maxReservations, reservationTtl: 30 * 60_000 },
      }),
      pubsub: guardedGossipsub(guard, limits.gossipSliceMs, {
        allowPublishToZeroTopicPeers: true,
        maxInboundDataLength: MAX_GOSSIP_BYTES * 4,
        allowedTopics: [...ALL_TOPICS],
        // The relay is a hub: it forwards to every subscriber it knows, so a message reaches
        // tabs that are not yet in each other's mesh.
        floodPublish: true,
        // One RPC, and one message of it, at a time per peer: a peer's next message is checked
        // against its budget only once the one before has been charged.
        awaitRpcHandler: true,
        awaitRpcMessageHandler: true,
        scoreParams: {
          appSpecificScore: guard.score,
          appSpecificWeight: 1,
          // Many honest tabs share an address behind a NAT; the per-IP connection cap is the
          // Sybil bound here, not a score penalty for neighbours.
          IPColocationFactorWeight: 0,
        },
        scoreThresholds: { graylistThreshold: GRAYLIST_THRESHOLD },
      }),
    },
  })
  node = libp2p
  for (const topic of ALL_TOPICS) {
    libp2p.services.pubsub.subscribe(topic)
    libp2p.services.pubsub.topicValidators.set(topic, guard.validate)
  }
  libp2p.addEventListener('peer:connect', (e) => log('peer connected %s', e.detail.toString()))
  libp2p.addEventListener('peer:disconnect', (e) => {
    guard.forget(e.detail.toString())
    log('peer disconnected %s', e.detail.toString())
  })
  const multiaddrs = libp2p
    .getMultiaddrs()
    .map((ma) => ma.toString())
    .filter((a) => a.includes('/ws'))
  log('listening on %s', multiaddrs.join(', '))
  return {
    node: libp2p,
    multiaddrs,
    gauges: () => ({
      readsPaused: reads.paused,
      connections: libp2p.getConnections().length,
      reservations: libp2p.services.relay.reservations.size,
      graylisted: guard.graylisted(),
    }),
    stop: async () => {
      await libp2p.stop()
    },
  }
}
