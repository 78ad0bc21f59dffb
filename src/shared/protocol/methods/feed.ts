/**
 * Page↔node RPC methods of the feed and cards (src/node/feed/), declared in the table of
 * src/shared/protocol/rpc.ts; spoken by the page and the node worker.
 */
import type { CardDraft } from '../../card/draft.ts'
import type { FeedCard, FeedPage, FeedQuery, Person } from '../../card/feed.ts'
import type { PreviewFileInput } from './preview.ts'

export type FeedMethods = {
  /** One page of a lens, a creator's cards (`creator`) or a card's comments (`parent`). */
  'feed.query': { params: FeedQuery; result: FeedPage }
  /** Full-text search over titles, text, excerpts and `#tags`. */
  'feed.search': { params: { q: string; limit?: number }; result: FeedCard[] }
  /** One card; fetched from the chain when this node has not indexed it yet (share links). */
  'feed.card': { params: { id: string }; result: FeedCard | null }
  /** A creator's profile (null without one), counts, and whether this identity follows them. */
  'feed.profile': {
    params: { address: string }
    result: {
      address: `0x${string}`
      person: Person | null
      followers: number
      following: number
      followedByMe: boolean
    }
  }
  /**
   * The profiles of up to 200 addresses (bylines, lists), in the order asked, null where an
   * address has posted none (src/node/feed/profiles.ts).
   */
  'feed.people': { params: { addresses: string[] }; result: (Person | null)[] }
  /** Who follows an address, or whom it follows: the newest first, at most `limit` (≤ 200). */
  'feed.followList': {
    params: { address: string; side: 'followers' | 'following'; limit?: number }
    result: `0x${string}`[]
  }
  /** Store (encrypt) the file if any → sign and gossip the card → post it → list it if paid. */
  'feed.publish': {
    params: {
      jobId: string
      draft: CardDraft
      file?: Blob | undefined
      /**
       * A site instead of a file: a folder's files (relative paths) or a ZIP, and its entry
       * page (and fallback); the node packs it into one archive (src/shared/site/archive.ts).
       */
      site?:
        | {
            files?: { path: string; file: Blob }[] | undefined
            zip?: Blob | undefined
            entry: string
            fallback?: string | undefined
          }
        | undefined
      /** The real preview (page-made), seeded as the card's preview torrent (`pv.ih`). */
      previewFiles?: PreviewFileInput[] | undefined
    }
    result: { cardId: `0x${string}`; hash: `0x${string}`; bytes: number }
  }
  'feed.react': { params: { id: string; kind?: number }; result: undefined }
  'feed.follow': { params: { address: string; follow: boolean }; result: undefined }
  /** Signs and gossips a view receipt (counted once per account). */
  'feed.view': { params: { id: string }; result: undefined }
  /** This identity's address and balance in wei (decimal). */
  'feed.account': { params: undefined; result: { address: `0x${string}`; balance: string } }
  /**
   * Sync position, recently skipped (malformed) on-chain cards, and why the last sync pass
   * failed (e.g. `ChainUnreachableError` while the chain is down; null once one succeeds).
   */
  'feed.status': {
    params: undefined
    result: {
      syncedTo: number
      skipped: { cardId: string; block: number; reason: string }[]
      error: { name: string; message: string } | null
    }
  }
  /** Drops the index and re-reads everything from the chain. */
  'feed.reset': { params: undefined; result: undefined }
  /**
   * Development chains only (benchmarks): indexes `count` synthetic cards through the
   * indexer's write path (src/node/feed/synthetic.ts). Refused on any other chain.
   */
  'feed.devFill': { params: { count: number }; result: { cards: number; ms: number } }
}
