/**
 * The queue a viewer steps through: the list it was opened from (viewQueue), or — opened from
 * a link — the first page of its lens, loaded once.
 */
import type { FeedCard, Lens } from '../../shared/card/feed.ts'
import type { RpcClient } from '../lib/rpc-client.ts'
import { viewQueue } from './queue.svelte.ts'

export class LensQueue {
  private fallback = $state.raw<FeedCard[]>([])
  private asked = false

  constructor(
    private readonly rpc: () => RpcClient | null,
    private readonly lens: Lens,
  ) {}

  /** The list to step through (reading it loads the lens's first page when there is none). */
  get items(): FeedCard[] {
    if (viewQueue.items.length > 0) return viewQueue.items
    this.load()
    return this.fallback
  }

  private load(): void {
    const rpc = this.rpc()
    if (this.asked || !rpc) return
    this.asked = true
    rpc.call('feed.query', { lens: this.lens, sort: 'new', limit: 30 }).then(
      (page) => {
        this.fallback = page.items
      },
      () => {
        this.asked = false
      },
    )
  }
}
