import type { PrivateKey } from '@libp2p/interface'
import type { AppConfig } from '../../shared/config.ts'
import type { GossipMessage, NodeStatus } from '../../shared/protocol/methods/node.ts'
import { logger } from '../log.ts'
import { createBrowserNode } from './libp2p.ts'
import { NetworkService, type TopicValidator } from './network.ts'
import { fixedPrivacy, type PrivacySource } from './privacy.ts'
import type { TurnSource } from './turnCredentials.ts'

const log = logger('runtime')

export type NetworkRuntimeInit = {
  config: AppConfig
  /** The peer key to run with: the identity's when there is one, else the device's. */
  peerKey: () => Promise<PrivateKey>
  onStatus(status: NodeStatus): void
  onGossip(message: GossipMessage): void
  /** Privacy mode (privacy.ts; the seed settings): the network restarts when it changes. */
  privacy?: () => Promise<PrivacySource>
  /** The relay's TURN credentials, kept fresh; `config.relay.turn` as it came without. */
  turn?: TurnSource
}

/**
 * Owns the tab's network service across peer-key changes: the node starts with the device key
 * before there is an identity, and restarts under the identity's key (its stable peer id) once
 * one is created or restored. Callers await {@link current}, which waits out a restart and
 * starts the network on first use.
 */
export class NetworkRuntime {
  private readonly init: NetworkRuntimeInit
  private running: Promise<NetworkService> | null = null
  private readonly gossipListeners = new Map<string, Set<(message: GossipMessage) => void>>()
  private readonly validators = new Map<string, TopicValidator>()
  private readonly goneListeners = new Set<(publicKey: Uint8Array) => void>()
  private privacy: Promise<PrivacySource> | null = null

  constructor(init: NetworkRuntimeInit) {
    this.init = init
  }

  /** Starts the network (once); a failure is reported, and the next {@link current} retries. */
  async start(): Promise<void> {
    await this.current()
  }

  /** Stops the network; {@link current} starts it again. */
  async stop(): Promise<void> {
    const old = this.running
    this.running = null
    const n = await old?.catch(() => null)
    await n?.stop().catch((err: Error) => log.warn('stop failed: %s', err.message))
  }

  /** The running network, started on first use. */
  current(): Promise<NetworkService> {
    this.running ??= this.launch().catch((err: unknown) => {
      this.running = null
      throw err
    })
    return this.running
  }

  /**
   * Hands every gossip message on `topic` to `listener` (services in the worker: the feed
   * indexer, availability, views), across restarts. Returns the unsubscribe function.
   */
  onGossip(topic: string, listener: (message: GossipMessage) => void): () => void {
    const set = this.gossipListeners.get(topic) ?? new Set()
    this.gossipListeners.set(topic, set)
    set.add(listener)
    void this.running?.then((n) => n.subscribe(topic)).catch(() => {})
    return () => set.delete(listener)
  }

  /**
   * Judges every message of a binary topic in gossipsub's validation, on every network the
   * node runs (see {@link TopicValidator}); one validator per topic. Returns the uninstall.
   */
  validate(topic: string, validator: TopicValidator): () => void {
    this.validators.set(topic, validator)
    void this.running?.then((n) => n.setValidator(topic, validator)).catch(() => {})
    return () => {
      if (this.validators.get(topic) !== validator) return
      this.validators.delete(topic)
      void this.running?.then((n) => n.clearValidator(topic)).catch(() => {})
    }
  }

  /**
   * Calls `listener` with a peer's public key (the raw key its peer id embeds) each time the
   * node's last connection to that peer closes, across restarts. Returns the unsubscribe.
   */
  onPeerGone(listener: (publicKey: Uint8Array) => void): () => void {
    this.goneListeners.add(listener)
    return () => this.goneListeners.delete(listener)
  }

  /** Stops the network and starts it again with the key `peerKey()` gives now. */
  restart(): Promise<NetworkService> {
    const previous = this.running
    this.running = (async () => {
      const old = await previous?.catch(() => null)
      await old?.stop().catch((err: Error) => log.warn('stop failed: %s', err.message))
      return this.launch()
    })()
    return this.running
  }

  /** The privacy setting, read once; a change restarts the network under the new value. */
  private privacySource(): Promise<PrivacySource> {
    this.privacy ??= (this.init.privacy?.() ?? Promise.resolve(fixedPrivacy(false))).then(
      (source) => {
        source.onChange((on) => {
          log('privacy mode %s: restarting the network', on ? 'on' : 'off')
          void this.restart().catch((err: Error) => log.warn('restart failed: %s', err.message))
        })
        return source
      },
      (err: unknown) => {
        this.privacy = null
        throw err
      },
    )
    return this.privacy
  }

  private async launch(): Promise<NetworkService> {
    const { config } = this.init
    const peerKey = await this.init.peerKey()
    const privacy = (await this.privacySource()).current()
    const node = await createBrowserNode({
      privateKey: peerKey,
      dev: config.dev,
      privacy,
      turn: () => (this.init.turn ? this.init.turn.current() : config.relay.turn),
    })
    const network = new NetworkService(node, {
      relay: config.relay,
      privacy,
      peerKey,
      onStatus: this.init.onStatus,
      onGossip: (message) => {
        this.init.onGossip(message)
        for (const listener of this.gossipListeners.get(message.topic) ?? []) {
          try {
            listener(message)
          } catch (err) {
            log.warn('gossip listener on %s failed: %s', message.topic, (err as Error).message)
          }
        }
      },
      onPeerGone: (peer) => {
        const key = peer.publicKey?.raw
        if (!key) return
        for (const listener of this.goneListeners) {
          try {
            listener(key)
          } catch (err) {
            log.warn('peer-gone listener failed: %s', (err as Error).message)
          }
        }
      },
    })
    for (const [topic, validator] of this.validators) network.setValidator(topic, validator)
    await network.start()
    for (const topic of this.gossipListeners.keys()) network.subscribe(topic)
    log('node %s started', node.peerId.toString())
    return network
  }
}
