import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { Connection, PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { RelayInfo } from '../../shared/config.ts'
import { InvalidInputError } from '../../shared/errors/common.ts'
import type { GossipMessage, NodeStatus, PeerInfo } from '../../shared/protocol/methods/node.ts'
import { MAX_GOSSIP_BYTES, TOPICS } from '../../shared/topics.ts'
import { logger } from '../log.ts'
import { isDirectWebRTC, isRelayed, webrtcDialAddrs } from './addrs.ts'
import { backoffDelay, sleep } from './backoff.ts'
import { NET_DEFAULTS } from './constants.ts'
import type { BrowserNode } from './libp2p.ts'
import { Redials } from './redial.ts'

const log = logger('net')

export type NetworkEvents = {
  onStatus(status: NodeStatus): void
  onGossip(message: GossipMessage): void
  /** The node has no connection left to a peer (libp2p's `peer:disconnect`). */
  onPeerGone?(peer: PeerId): void
}

/** The key the node runs under (its peer id's): services sign with it (availability). */
export type NetworkInit = {
  relay: RelayInfo
  peerKey: PrivateKey
  /** Privacy mode (privacy.ts): no direct connections; gossip goes through the relay only. */
  privacy?: boolean
} & NetworkEvents

/** gossipsub's verdict on one message: deliver and forward it, drop it, or drop and blame. */
export type GossipVerdict = 'accept' | 'ignore' | 'reject'
/**
 * Judges one message of a binary topic in gossipsub's validation step, before it is delivered
 * or forwarded: its bytes and the peer it came through. Such a topic's messages are never
 * passed to the page as text.
 */
export type TopicValidator = (data: Uint8Array, from: string) => GossipVerdict

const VERDICTS: Record<GossipVerdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
}

/**
 * Keeps the tab on the network: holds a connection to the relay (re-dialling with backoff
 * when it drops), keeps a circuit reservation there, dials every discovered tab directly over
 * WebRTC, and carries gossip. Everything it learns is pushed out through `onStatus`.
 */
export class NetworkService {
  private readonly node: BrowserNode
  private readonly init: NetworkInit
  private readonly relayPeer: string
  private readonly controller = new AbortController()
  private relayState: NodeStatus['relay']['state'] = 'connecting'
  private readonly dialing = new Set<string>()
  private readonly seenAt = new Map<string, number>()
  /** Direct dials that failed, and when each peer may be tried again (redial.ts). */
  private readonly redials = new Redials()
  private wakeRelay: (() => void) | undefined
  private announcedCircuit = false
  private readonly validated = new Set<string>()

  constructor(node: BrowserNode, init: NetworkInit) {
    this.node = node
    this.init = init
    this.relayPeer = init.relay.peerId
  }

  async start(): Promise<void> {
    const { node } = this
    node.addEventListener('peer:connect', () => this.emitStatus())
    node.addEventListener('peer:disconnect', (e) => {
      if (e.detail.toString() === this.relayPeer) {
        this.relayState = 'connecting'
        this.wakeRelay?.()
      }
      this.emitStatus()
      this.init.onPeerGone?.(e.detail)
    })
    node.addEventListener('connection:open', (e) => {
      this.dropRelayedTwin(e.detail)
      this.emitStatus()
    })
    node.addEventListener('connection:close', () => this.emitStatus())
    node.addEventListener('self:peer:update', () => {
      const hasCircuit = node.getMultiaddrs().some((a) => a.toString().includes('/p2p-circuit'))
      if (hasCircuit && !this.announcedCircuit) node.announce()
      this.announcedCircuit = hasCircuit
      this.emitStatus()
    })
    // A tab that just subscribed to the peers topic is new: tell it about us now.
    node.services.pubsub.addEventListener('subscription-change', (e) => {
      if (e.detail.subscriptions.some((s) => s.topic === TOPICS.peers && s.subscribe))
        node.announce()
    })
    node.addEventListener('peer:discovery', (e) => {
      this.onDiscovered(e.detail.id, e.detail.multiaddrs.map(String))
    })
    // libp2p emits peer:discovery only when a peer first enters the peer store. A tab's first
    // announcement may come before it holds a circuit reservation (no /webrtc address yet),
    // and a dial may fail: later announcements update the store, so watch updates too.
    node.addEventListener('peer:update', (e) => {
      this.onDiscovered(
        e.detail.peer.id,
        e.detail.peer.addresses.map((a) => a.multiaddr.toString()),
      )
    })
    node.services.pubsub.addEventListener('message', (e) => {
      const msg = e.detail
      // A peer's announcement (every few seconds while it is here): dial it again if an earlier
      // direct dial failed, once its back-off has passed (redial.ts).
      if (msg.topic === TOPICS.peers && msg.type === 'signed') this.onAnnounced(msg.from)
      if (msg.topic === TOPICS.peers || this.validated.has(msg.topic)) return
      if (msg.data.byteLength > MAX_GOSSIP_BYTES) {
        log.warn('dropped oversized gossip on %s (%d bytes)', msg.topic, msg.data.byteLength)
        return
      }
      this.init.onGossip({
        topic: msg.topic,
        from: msg.type === 'signed' ? msg.from.toString() : '',
        data: new TextDecoder().decode(msg.data),
        receivedAt: Date.now(),
      })
    })
    await node.start()
    for (const topic of [TOPICS.chat, TOPICS.cards, TOPICS.views, TOPICS.availability])
      node.services.pubsub.subscribe(topic)
    void this.superviseRelay(this.controller.signal)
    this.emitStatus()
  }

  async stop(): Promise<void> {
    this.controller.abort()
    await this.node.stop()
  }

  status(): NodeStatus {
    const conns = this.node.getConnections()
    const relayConn = conns.find((c) => c.remotePeer.toString() === this.relayPeer)
    const own = this.node.getMultiaddrs().map(String)
    const reservation = own.find((a) => a.includes('/p2p-circuit') && !a.includes('/webrtc'))
    return {
      peerId: this.node.peerId.toString(),
      relay: {
        state: relayConn ? 'connected' : this.relayState,
        addr: relayConn?.remoteAddr.toString(),
        reservation,
      },
      peers: uniquePeers(conns.filter((c) => c.status === 'open').map((c) => this.peerInfo(c))),
      listenAddrs: own,
      privacy: this.init.privacy ?? false,
    }
  }

  async publish(topic: string, data: string): Promise<{ recipients: number }> {
    const bytes = new TextEncoder().encode(data)
    if (bytes.byteLength > MAX_GOSSIP_BYTES)
      throw new InvalidInputError('Message too large to gossip.', {
        details: `${bytes.byteLength} bytes, the limit is ${MAX_GOSSIP_BYTES}`,
      })
    const result = await this.node.services.pubsub.publish(topic, bytes)
    return { recipients: result.recipients.length }
  }

  /** Publishes raw bytes (a binary topic's message, already checked against the limit). */
  async publishBytes(topic: string, data: Uint8Array): Promise<{ recipients: number }> {
    if (data.byteLength > MAX_GOSSIP_BYTES)
      throw new InvalidInputError('Message too large to gossip.', {
        details: `${data.byteLength} bytes, the limit is ${MAX_GOSSIP_BYTES}`,
      })
    const result = await this.node.services.pubsub.publish(topic, data)
    return { recipients: result.recipients.length }
  }

  subscribe(topic: string): void {
    this.node.services.pubsub.subscribe(topic)
  }

  /** The key this node runs under. */
  get peerKey(): PrivateKey {
    return this.init.peerKey
  }

  /**
   * Installs gossipsub's validator for a binary topic (see {@link TopicValidator}) and
   * subscribes to it; called before start, no message of the topic escapes it. A validator
   * that throws drops the message without blame.
   */
  setValidator(topic: string, validate: TopicValidator): void {
    this.validated.add(topic)
    this.node.services.pubsub.topicValidators.set(topic, (peer, msg) => {
      try {
        return VERDICTS[validate(msg.data, peer.toString())]
      } catch (err) {
        log.warn('validator of %s failed: %s', topic, (err as Error).message)
        return TopicValidatorResult.Ignore
      }
    })
    // Before start, start() subscribes (every binary topic is one of TOPICS).
    if (this.node.status === 'started') this.subscribe(topic)
  }

  /** Removes a topic's validator; its messages stay binary (never passed to the page). */
  clearValidator(topic: string): void {
    this.node.services.pubsub.topicValidators.delete(topic)
  }

  /**
   * Dials a peer directly over WebRTC, signalled through the relay. Refused in privacy mode,
   * where this node talks to peers only through the relay.
   */
  async dialDirect(peerId: string, signal?: AbortSignal): Promise<PeerInfo> {
    if (this.init.privacy)
      throw new InvalidInputError('Privacy mode is on: no direct connections.', {
        details: `peer ${peerId}: this node talks to peers only through the relay`,
      })
    const existing = this.directConnection(peerId)
    if (existing) return this.peerInfo(existing)
    const addr = `${this.init.relay.multiaddrs[0]}/p2p-circuit/webrtc/p2p/${peerId}`
    const timeout = AbortSignal.timeout(NET_DEFAULTS.dialTimeoutMs)
    const conn = await this.node.dial(multiaddr(addr), {
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    })
    return this.peerInfo(conn)
  }

  /** A peer's addresses in the peer store and its open connections' remote addresses. */
  async peerAddrs(peerId: string): Promise<{ addrs: string[]; connections: string[] }> {
    let id: PeerId
    try {
      id = peerIdFromString(peerId)
    } catch {
      throw new InvalidInputError('Not a peer id.', { details: `peerId: ${peerId.slice(0, 100)}` })
    }
    const known = await this.node.peerStore.get(id).catch(() => null)
    return {
      addrs: (known?.addresses ?? []).map((a) => a.multiaddr.toString()),
      connections: this.node.getConnections(id).map((c) => c.remoteAddr.toString()),
    }
  }

  private peerInfo(c: Connection): PeerInfo {
    const addr = c.remoteAddr.toString()
    return {
      peerId: c.remotePeer.toString(),
      addr,
      direct: isDirectWebRTC(addr) && c.limits === undefined,
      relay: c.remotePeer.toString() === this.relayPeer,
    }
  }

  /**
   * The circuit that carried the WebRTC signalling is limited (data and time) and costs the
   * relay: once a direct connection to that peer is open, close the circuit.
   */
  private dropRelayedTwin(conn: Connection): void {
    if (!isDirectWebRTC(conn.remoteAddr.toString())) return
    for (const other of this.node.getConnections(conn.remotePeer)) {
      if (other !== conn && isRelayed(other.remoteAddr.toString()))
        other.close().catch(() => other.abort(new Error('replaced by a direct connection')))
    }
  }

  private directConnection(peerId: string): Connection | undefined {
    return this.node
      .getConnections()
      .find(
        (c) =>
          c.remotePeer.toString() === peerId &&
          c.status === 'open' &&
          isDirectWebRTC(c.remoteAddr.toString()),
      )
  }

  /**
   * A tab announced itself. Dial it directly unless we already have a direct connection. To
   * avoid both sides dialling at once, the lower peer id dials first; the higher one steps in
   * only if nothing happened within `dialTieBreakMs`.
   */
  private onDiscovered(id: PeerId, addrs: string[]): void {
    const peer = id.toString()
    if (this.init.privacy) return
    if (peer === this.relayPeer || this.dialing.has(peer) || this.directConnection(peer)) return
    if (webrtcDialAddrs(addrs).length === 0) return
    const first = this.seenAt.get(peer) ?? Date.now()
    this.seenAt.set(peer, first)
    const mine = this.node.peerId.toString()
    if (mine > peer && Date.now() - first < NET_DEFAULTS.dialTieBreakMs) return
    if (!this.redials.due(peer, Date.now())) return
    this.dialing.add(peer)
    this.dialDirect(peer, this.controller.signal)
      .then((info) => {
        this.redials.succeeded(peer)
        log('direct connection to %s via %s', peer, info.addr)
      })
      .catch((err: Error) => {
        if (this.controller.signal.aborted) return
        this.redials.failed(peer, Date.now())
        log('dial %s failed: %s', peer, err.message)
      })
      .finally(() => {
        this.dialing.delete(peer)
        this.seenAt.delete(peer)
      })
  }

  /** A peer whose direct dial failed announced itself: dial it again, with its stored addresses. */
  private onAnnounced(id: PeerId): void {
    const peer = id.toString()
    if (this.init.privacy || !this.redials.failing(peer)) return
    if (peer === this.relayPeer || this.dialing.has(peer) || this.directConnection(peer)) return
    if (!this.redials.due(peer, Date.now())) return
    this.node.peerStore
      .get(id)
      .then((known) =>
        this.onDiscovered(
          id,
          known.addresses.map((a) => a.multiaddr.toString()),
        ),
      )
      .catch(() => {}) // not stored yet: its discovery (peer:discovery) dials it
  }

  /** Dials the relay, and re-dials with backoff whenever the connection drops. */
  private async superviseRelay(signal: AbortSignal): Promise<void> {
    let attempt = 0
    while (!signal.aborted) {
      const connected = this.node
        .getConnections()
        .some((c) => c.remotePeer.toString() === this.relayPeer && c.status === 'open')
      if (connected) {
        attempt = 0
        // Woken by the relay's peer:disconnect; the periodic look is a safety net.
        await new Promise<void>((resolve) => {
          this.wakeRelay = resolve
          setTimeout(resolve, NET_DEFAULTS.relayCheckMs)
          signal.addEventListener('abort', () => resolve(), { once: true })
        })
        continue
      }
      this.relayState = attempt === 0 ? 'connecting' : 'offline'
      this.emitStatus()
      try {
        await this.dialRelay(signal)
        this.relayState = 'connected'
        log('connected to relay')
        this.emitStatus()
      } catch (err) {
        if (signal.aborted) return
        const delay = backoffDelay(attempt++)
        log('relay dial failed (%s); retrying in %d ms', String(err), delay)
        this.relayState = 'offline'
        this.emitStatus()
        await sleep(delay, signal).catch(() => {})
      }
    }
  }

  private async dialRelay(signal: AbortSignal): Promise<void> {
    let lastError: unknown
    for (const addr of this.init.relay.multiaddrs) {
      try {
        await this.node.dial(multiaddr(addr), {
          signal: AbortSignal.any([signal, AbortSignal.timeout(NET_DEFAULTS.dialTimeoutMs)]),
        })
        return
      } catch (err) {
        lastError = err
      }
    }
    throw lastError ?? new Error('the relay has no address')
  }

  private emitStatus(): void {
    this.init.onStatus(this.status())
  }
}

/** One entry per peer, the direct connection first when there are several. */
function uniquePeers(infos: PeerInfo[]): PeerInfo[] {
  const byPeer = new Map<string, PeerInfo>()
  for (const info of infos) {
    const seen = byPeer.get(info.peerId)
    if (!seen || (info.direct && !seen.direct)) byPeer.set(info.peerId, info)
  }
  return [...byPeer.values()]
}
