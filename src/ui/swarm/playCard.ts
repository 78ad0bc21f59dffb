/**
 * Plays a card (DESIGN §4.3): one call, `content.play`. The node finds the card, records
 * which item holds it and a free card's inline key in access, and fetches (or keeps seeding)
 * the ciphertext from peers; `/c/<cardId>` then streams it, decrypted in the node. When only
 * pinned or own items could make room for it, the user is asked first (withRoom).
 */
import type { SwarmTorrentInfo } from '../../shared/protocol/methods/swarm.ts'
import type { Rpc } from '../lib/rpc-client.ts'
import { withRoom } from '../node/roomAsk.svelte.ts'

/** True for a card id (`0x` and 64 hex digits), as opposed to an item id or infoHash. */
export function isCardId(id: string): id is `0x${string}` {
  return /^0x[0-9a-fA-F]{64}$/.test(id)
}

/**
 * Starts fetching (or keeps seeding) the item of a card; rejects when the card is unknown, has
 * no content in the swarm, or cannot fit and the user keeps what could make room.
 * @example const info = await playCard(rpc, cardId); router.go(`/play/${cardId}`)
 */
export function playCard(rpc: Rpc, cardId: `0x${string}`): Promise<SwarmTorrentInfo> {
  return withRoom(rpc, () => rpc.call('content.play', { cardId }))
}
