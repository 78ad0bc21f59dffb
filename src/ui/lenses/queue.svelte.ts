/**
 * The list a viewer was opened from: the photo viewer's next and previous, the watch page's
 * "up next" and the mini-player's queue step through it, in the order the person saw it. A
 * viewer opened from a link (no list) falls back to its lens.
 */
import type { FeedCard } from '../../shared/card/feed.ts'

export class ViewQueue {
  items = $state.raw<FeedCard[]>([])
  /** The app path the viewer was opened from: closing it goes back there. */
  from: string | null = null

  /** Remembers the list a viewer is being opened from, and where it was. */
  set(items: readonly FeedCard[], from: string | null): void {
    this.items = [...items]
    this.from = from
  }

  /**
   * Leaves a viewer: back in history to the list it was opened from, else to `fallback` (a
   * viewer opened from a link has nowhere to go back to in the app).
   */
  close(router: { go(path: string): void }, fallback: string): void {
    if (this.from !== null) {
      this.from = null
      history.back()
    } else router.go(fallback)
  }
}

/** The app's one queue. */
export const viewQueue = new ViewQueue()
