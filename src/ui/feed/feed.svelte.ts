/**
 * The UI's feed state: the current query, its pages (infinite scroll: one page at a time),
 * and live updates from `feed.cards` events (new cards go on top, changed counts in place).
 */
import type { FeedCard, FeedQuery } from '../../shared/card/feed.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import type { Rpc } from '../lib/rpc-client.ts'

export class FeedList {
  /**
   * Replaced, never changed in place: raw state, so a card's fields are plain reads, not a
   * signal each (a page of cards is rendered at once, issue #18).
   */
  items = $state.raw<FeedCard[]>([])
  next = $state<string | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)
  done = $derived(this.next === null && !this.loading)
  private query: FeedQuery
  private search = ''
  private generation = 0

  constructor(
    readonly rpc: Rpc,
    query: FeedQuery,
  ) {
    this.query = query
  }

  /** Replaces the query (or search text) and loads the first page. */
  async set(query: FeedQuery, search = ''): Promise<void> {
    this.query = query
    this.search = search.trim()
    this.items = []
    this.next = null
    await this.load(true)
  }

  async more(): Promise<void> {
    if (this.next && !this.loading) await this.load(false)
  }

  private async load(first: boolean): Promise<void> {
    const gen = ++this.generation
    this.loading = true
    this.error = null
    try {
      if (this.search) {
        const items = await this.rpc.call('feed.search', { q: this.search, limit: 50 })
        if (gen !== this.generation) return
        this.items = items
        this.next = null
      } else {
        const page = await this.rpc.call('feed.query', {
          ...this.query,
          ...(first ? {} : { cursor: this.next ?? undefined }),
        })
        if (gen !== this.generation) return
        this.items = first ? page.items : appendNew(this.items, page.items)
        this.next = page.next
      }
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      if (gen === this.generation) this.loading = false
    }
  }

  /** Applies a node event: updates cards in place; `accept` decides whether a new one joins. */
  onEvent(event: NodeEvent, accept: (c: FeedCard) => boolean): void {
    if (event.kind !== 'feed.cards') return
    let items = this.items
    for (const card of event.cards) {
      const i = items.findIndex((c) => c.id === card.id)
      if (i >= 0) items = items.with(i, card)
      else if (!this.search && accept(card)) items = [card, ...items]
    }
    this.items = items
  }
}

/** `more` after `items`, leaving out any already there (a card can move between pages). */
function appendNew(items: FeedCard[], more: FeedCard[]): FeedCard[] {
  const seen = new Set(items.map((c) => c.id))
  return [...items, ...more.filter((c) => !seen.has(c.id))]
}
