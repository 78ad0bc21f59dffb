/**
 * Reads one card straight from the chain in the page, without a node: an embed in a
 * third-party iframe may be denied storage (no IndexedDB, no Web Locks, no Service Worker), so
 * it cannot run a node; it reads the CardPosted log by id from the configured RPC and decodes
 * it with the same strict codec.
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import { createPublicClient, http } from 'viem'
import { cardIdOf, decodeCard, type Hex } from '../../shared/card/card.ts'
import type { FeedCard } from '../../shared/card/feed.ts'
import { parseAppConfig } from '../../shared/config.ts'

const CARD_POSTED = {
  type: 'event',
  name: 'CardPosted',
  inputs: [
    { indexed: true, name: 'cardId', type: 'bytes32' },
    { indexed: true, name: 'creator', type: 'address' },
    { indexed: false, name: 'card', type: 'bytes' },
  ],
} as const

/** The card with this id from the chain, or null when it is not there (yet) or invalid. */
export async function fetchCardFromChain(id: Hex, signal: AbortSignal): Promise<FeedCard | null> {
  const res = await fetch('/config.json', { signal, cache: 'no-store' })
  const config = parseAppConfig(await res.json())
  if (!config.chain) return null
  const client = createPublicClient({ transport: http(config.chain.rpcUrl) })
  const logs = await client.getLogs({
    address: config.chain.contracts.cardRegistry,
    event: CARD_POSTED,
    args: { cardId: id },
    fromBlock: BigInt(config.chain.deployBlock),
    strict: true,
  })
  const log = logs[0]
  if (!log || log.args.card.length > 2 + 2 * 4096) return null
  const bytes = hexToBytes(log.args.card.slice(2))
  try {
    const card = decodeCard(bytes)
    if (cardIdOf(bytes) !== id) return null
    return {
      id,
      creator: log.args.creator.toLowerCase() as Hex,
      card,
      status: 'mined',
      block: Number(log.blockNumber),
      postedAt: card.createdAt * 1000,
      reactions: 0,
      comments: 0,
      views: 0,
      verifiedViews: 0,
    }
  } catch {
    return null
  }
}
