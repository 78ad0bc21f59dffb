import { ALL_TOPICS, MAX_GOSSIP_BYTES } from '../../shared/topics.ts'

/** Network defaults in one place (js-libp2p style). */
export const NET_DEFAULTS = {
  maxConnections: 64,
  /** How often a node re-announces its addresses on the peers topic. */
  announceIntervalMs: 3_000,
  /** Relay reconnect backoff: first delay, cap, and the random spread added to each. */
  backoffInitialMs: 500,
  backoffMaxMs: 10_000,
  backoffJitter: 0.3,
  dialTimeoutMs: 10_000,
  /** How often the relay supervisor looks at the relay connection even when not woken. */
  relayCheckMs: 5_000,
  /** How long the higher peer id waits for the lower one to dial before dialling itself. */
  dialTieBreakMs: 5_000,
} as const

/** The tab's gossipsub options (the relay's load test runs its honest peers with them too). */
export const GOSSIPSUB_OPTIONS = {
  allowPublishToZeroTopicPeers: true,
  maxInboundDataLength: MAX_GOSSIP_BYTES * 4,
  allowedTopics: [...ALL_TOPICS],
}
