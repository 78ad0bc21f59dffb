/**
 * The lists the person scrolled, kept while they look at a card: back from a viewer, the lens
 * shows the same list at the same place (the pages already loaded, the rows' measured heights
 * and the scroll position), instead of a fresh first page at the top. A kept list follows the
 * node's card events all along, so it misses nothing meanwhile. A few lists are kept, the
 * least recently used dropped; an old one is loaded afresh.
 */
import { SvelteMap } from 'svelte/reactivity'
import type { FeedQuery } from '../../shared/card/feed.ts'
import { FeedList } from '../feed/feed.svelte.ts'
import { matchesQuery } from '../feed/match.ts'
import type { RpcClient } from '../lib/rpc-client.ts'

/** Lists kept. */
const KEEP = 6
/** A list kept longer than this is loaded afresh (it missed what happened meanwhile). */
const FRESH_MS = 5 * 60_000

export type KeptList = {
  list: FeedList
  /** VirtualScroll's measured row heights, by row key. */
  heights: SvelteMap<string, number>
  scrollY: number
  at: number
  /** Stops following the node's events (when the list is dropped). */
  off: () => void
}

const kept = new Map<string, KeptList>()

/**
 * The list for `query` and `search`: the kept one (and where the page was) if it is fresh,
 * else a new one, loading its first page. `me` is this identity's address (Library).
 */
export function keptList(
  rpc: RpcClient,
  query: FeedQuery,
  search: string,
  me: () => string | undefined,
): { kept: KeptList; restored: boolean } {
  const key = JSON.stringify([query, search.trim()])
  const old = kept.get(key)
  kept.delete(key)
  if (old && old.list.rpc === rpc && Date.now() - old.at < FRESH_MS) {
    kept.set(key, old)
    return { kept: old, restored: true }
  }
  old?.off()
  const list = new FeedList(rpc, query)
  void list.set(query, search)
  const off = rpc.onEvent((e) => list.onEvent(e, (c) => matchesQuery(c, query, me())))
  const entry: KeptList = { list, heights: new SvelteMap(), scrollY: 0, at: Date.now(), off }
  kept.set(key, entry)
  for (const [k, v] of kept)
    if (kept.size > KEEP) {
      v.off()
      kept.delete(k)
    }
  return { kept: entry, restored: false }
}

/**
 * Keeps `entry`'s scroll position up to date while its view shows (read as it scrolls: when
 * the view goes, the page may already be another). Returns the function that stops.
 */
export function followScroll(entry: KeptList): () => void {
  const onScroll = () => {
    entry.scrollY = scrollY
  }
  addEventListener('scroll', onScroll, { passive: true })
  return () => removeEventListener('scroll', onScroll)
}
