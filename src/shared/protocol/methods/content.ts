/** RPC methods of content (src/node/content/): a card's plaintext for this node. */
import type { SwarmTorrentInfo } from './swarm.ts'

export type ContentMethods = {
  /**
   * Plays a card: the node finds the card (feed or chain), records its item and a free card's
   * key in access, and fetches (or keeps seeding) its content. `/c/<cardId>` then streams it.
   */
  'content.play': { params: { cardId: string }; result: SwarmTorrentInfo }
}
