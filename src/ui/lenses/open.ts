/**
 * Opening a card from a lens: the list it was in becomes the viewers' queue (next, previous,
 * up next), then audio starts in the mini-player where the person is, and everything else
 * goes to its viewer's page.
 */
import type { FeedCard } from '../../shared/card/feed.ts'
import type { Router } from '../lib/router.svelte.ts'
import type { RpcClient } from '../lib/rpc-client.ts'
import { listening } from './listen.svelte.ts'
import { viewQueue } from './queue.svelte.ts'
import { viewerOf, viewerPath } from './viewer.ts'

export type OpenContext = { rpc: RpcClient | null; router: Router; items: readonly FeedCard[] }

/** Opens `item` in its viewer. */
export function openCard(ctx: OpenContext, item: FeedCard): void {
  if (viewerOf(item.card) === 'listen' && ctx.rpc) {
    viewQueue.set(ctx.items, null)
    listening.play(ctx.rpc, item, ctx.items)
  } else {
    viewQueue.set(ctx.items, ctx.router.path)
    ctx.router.go(viewerPath(item))
  }
}

/**
 * For `<a href={viewerPath(item)} onclick={…}>`: a plain click opens in the app; a click with
 * a modifier (new tab) is left to the browser.
 */
export function openOnClick(ctx: OpenContext, item: FeedCard) {
  return (e: MouseEvent): void => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return
    e.preventDefault()
    openCard(ctx, item)
  }
}
