/**
 * What the feed shows, shared by the node's index and the UI: lenses, sorts, queries and the
 * indexed card the UI renders.
 */
import type { ItemHealthWire } from '../protocol/methods/availability.ts'
import type { Card, CardKind, CardProfile, Hex } from './card.ts'

/**
 * The feed's lenses (DESIGN §4.2). `all` is every top-level card; `needs-seeders` is content
 * fewer than {@link FEW_SEEDERS} nodes seed, fewest first (DESIGN §4.7).
 */
export const LENSES = [
  'all',
  'posts',
  'photos',
  'watch',
  'listen',
  'read',
  'apps',
  'following',
  'library',
  'needs-seeders',
] as const
export type Lens = (typeof LENSES)[number]

/** The "needs seeders" lens lists content with fewer seeders than this (this node included). */
export const FEW_SEEDERS = 3
export type Sort = 'new' | 'top' | 'trending'
export type AccessFilter = 'any' | 'free' | 'paid'

/** The kind lens a card belongs to. */
export function lensOfKind(
  kind: CardKind,
): Exclude<Lens, 'all' | 'following' | 'library' | 'needs-seeders'> {
  switch (kind) {
    case 'post':
      return 'posts'
    case 'image':
      return 'photos'
    case 'video':
      return 'watch'
    case 'audio':
      return 'listen'
    case 'doc':
      return 'read'
    default:
      return 'apps'
  }
}

export type FeedQuery = {
  lens: Lens
  sort?: Sort | undefined
  access?: AccessFilter | undefined
  tag?: string | undefined
  /** Cards of one creator (a profile page) instead of a lens. */
  creator?: Hex | undefined
  /** Replies to one card (its comments). */
  parent?: Hex | undefined
  limit?: number | undefined
  /** From the previous page's `next`. */
  cursor?: string | undefined
}

/** A card as indexed: the card, where it came from and its engagement counts. */
export type FeedCard = {
  id: Hex
  creator: Hex
  card: Card
  /** `pending`: seen in gossip, not yet mined; `mined`: from a CardPosted event. */
  status: 'pending' | 'mined'
  block?: number | undefined
  /** ms; the card's claimed time, never later than when this node first saw it. */
  postedAt: number
  reactions: number
  comments: number
  /** Accounts that viewed it: signed view receipts and key purchases, each account once. */
  views: number
  /** Of those, accounts whose view is verified on-chain: they bought a key (KeyRequested). */
  verifiedViews: number
  /**
   * The content's health in the swarm (the availability map) when the card has content, as
   * the node saw it when it answered; `seed.health` refreshes it.
   */
  health?: ItemHealthWire | undefined
}

export type FeedPage = { items: FeedCard[]; next: string | null }

/** Reaction kinds (the contract's `uint8 kind`). */
export const REACTION = { like: 1 } as const

/**
 * An address's profile as the node resolved it (src/node/feed/profiles.ts): the newest
 * profile card by that address, and whether it is mined yet.
 */
export type Person = CardProfile & {
  address: Hex
  /** The profile card that won. */
  cardId: Hex
  status: 'pending' | 'mined'
}
