/** Gossipsub topics, versioned. The relay subscribes to all of them so it forwards them. */
export const TOPICS = {
  /** Peer announcements (@libp2p/pubsub-peer-discovery): peer id + multiaddrs. */
  peers: 'hashcard/peers/v1',
  cards: 'hashcard/cards/v1',
  views: 'hashcard/views/v1',
  availability: 'hashcard/avail/v1',
  /** Free-form node-to-node messages used by diagnostics and the network tests. */
  chat: 'hashcard/chat/v1',
} as const

export const ALL_TOPICS: readonly string[] = Object.values(TOPICS)

/** The largest gossip message any node accepts (a card is ≤ 4 KiB plus its signature). */
export const MAX_GOSSIP_BYTES = 16 * 1024
