/**
 * Adds a card's item to this node's swarm from the card's `content` (DESIGN §2, §4.3): the
 * node fetches the ciphertext from peers and `/c/<cardId>` streams it. A free card carries
 * its key inline; for a paid card the node asks its keys service (the vault's key after a
 * purchase), and the card's content salt is registered with it so the key can be used.
 */
import type { FeedCard } from '../../shared/card/feed.ts'
import type { SwarmTorrentInfo } from '../../shared/protocol/methods/swarm.ts'
import type { Rpc } from '../lib/rpc-client.ts'

const bare = (hex: string) => hex.replace(/^0x/i, '').toLowerCase()

/** True for a card id (`0x` and 64 hex digits), as opposed to an item id or infoHash. */
export function isCardId(id: string): id is `0x${string}` {
  return /^0x[0-9a-fA-F]{64}$/.test(id)
}

/**
 * Starts fetching (or keeps seeding) the item of a card; throws when the card has no seeded
 * content (no `content.infoHash`).
 * @example const info = await addCard(rpc, item); router.go(`/play/${item.id}`)
 */
export async function addCard(rpc: Rpc, item: FeedCard): Promise<SwarmTorrentInfo> {
  const c = item.card.content
  if (!c?.infoHash) throw new Error('This card has no content in the swarm.')
  const a = item.card.access
  if (!a.free)
    await rpc
      .call('keys.registerCard', { cardId: item.id, contentSalt: c.contentSalt })
      .catch(() => {}) // without a chain or identity there is no key to find anyway
  return rpc.call('swarm.add', {
    cardId: item.id,
    content: {
      infoHash: bare(c.infoHash),
      contentRoot: bare(c.contentRoot),
      name: c.name,
      mime: c.mime,
      size: c.size,
      sliceSize: c.sliceSize,
      contentSalt: bare(c.contentSalt),
    },
    ...(a.free && a.key ? { access: { kind: 'free' as const, key: bare(a.key) } } : {}),
  })
}
