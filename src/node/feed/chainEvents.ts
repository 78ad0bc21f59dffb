/**
 * Turns decoded CardRegistry logs (and the KeyMarket's KeyRequested, a key bought or claimed
 * by its owner: a verified view) into feed events. A CardPosted whose bytes do not parse is
 * skipped with its reason (a hostile or buggy poster must never break the feed).
 */

import { hexToBytes } from '@noble/hashes/utils.js'
import type { Hex } from '../../shared/card/card.ts'
import { cardIdOf, decodeCard } from '../../shared/card/card.ts'
import { cardRegistryAbi, keyMarketAbi } from '../chain/abi.ts'
import type { SyncedLog } from '../chain/logSync.ts'
import type { FeedEvent } from './ingest.ts'

export type Skipped = { cardId: Hex; block: number; reason: string }

const lower = (a: string) => a.toLowerCase() as Hex

/** What the feed reads: the CardRegistry's events and the KeyMarket's KeyRequested. */
export const feedAbi = [
  ...cardRegistryAbi,
  ...keyMarketAbi.filter((e) => e.type === 'event' && e.name === 'KeyRequested'),
] as const
export const FEED_EVENTS = ['CardPosted', 'Reacted', 'Followed', 'Unfollowed', 'KeyRequested']

/** Maps logs to events; bad cards go to `skipped`. `seenAt` is ms. */
export function eventsOfLogs(
  logs: SyncedLog<typeof feedAbi>[],
  seenAt: number,
): { events: FeedEvent[]; skipped: Skipped[] } {
  const events: FeedEvent[] = []
  const skipped: Skipped[] = []
  for (const log of logs) {
    const block = Number(log.blockNumber)
    const logIndex = log.logIndex
    switch (log.eventName) {
      case 'CardPosted': {
        const { cardId, creator, card } = log.args
        try {
          if (card.length > 2 + 2 * 4096) throw new Error('larger than 4096 bytes')
          const bytes = hexToBytes(card.slice(2))
          const decoded = decodeCard(bytes)
          if (cardIdOf(bytes) !== lower(cardId)) throw new Error('the id is not keccak256(card)')
          events.push({
            type: 'card',
            id: lower(cardId),
            creator: lower(creator),
            card: decoded,
            block,
            logIndex,
            seenAt,
          })
        } catch (err) {
          const e = err as Error & { details?: string }
          skipped.push({ cardId: lower(cardId), block, reason: e.details ?? e.message })
        }
        break
      }
      case 'Reacted':
        events.push({
          type: 'reaction',
          cardId: lower(log.args.cardId),
          from: lower(log.args.from),
          kind: log.args.kind,
          block,
        })
        break
      case 'KeyRequested':
        events.push({
          type: 'view',
          cardId: lower(log.args.cardId),
          viewer: lower(log.args.owner),
          at: Math.floor(seenAt / 1000),
          verified: true,
          block,
        })
        break
      case 'Followed':
      case 'Unfollowed':
        events.push({
          type: 'follow',
          follower: lower(log.args.follower),
          creator: lower(log.args.creator),
          following: log.eventName === 'Followed',
          block,
          logIndex,
        })
        break
    }
  }
  return { events, skipped }
}
