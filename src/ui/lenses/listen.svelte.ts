/**
 * What the mini-player plays (the Listen lens, issue #18): the current track and the list it
 * was started from. It lives outside every view, so the music keeps playing while the person
 * moves around the app; the <audio> element is the mini-player's (App.svelte mounts it once).
 */
import type { FeedCard } from '../../shared/card/feed.ts'
import type { RpcClient } from '../lib/rpc-client.ts'
import { CardContent } from './content.svelte.ts'
import { stepIn, viewerOf } from './viewer.ts'

const isTrack = (c: FeedCard) => viewerOf(c.card) === 'listen'

export class Listening {
  current = $state.raw<FeedCard | null>(null)
  queue = $state.raw<FeedCard[]>([])
  content = $state.raw<CardContent | null>(null)
  private rpc: RpcClient | null = null
  private stop = () => {}

  /** Plays `item` now; `queue` (the list it was picked from) gives next and previous. */
  play(rpc: RpcClient, item: FeedCard, queue: readonly FeedCard[] = [item]): void {
    this.rpc = rpc
    this.queue = queue.filter(isTrack)
    if (this.current?.id === item.id && this.content) return
    this.stop()
    this.current = item
    const content = new CardContent(rpc, item.id)
    this.content = content
    this.stop = content.start()
  }

  /** The track after (1) or before (−1) the current one in its queue, if any. */
  neighbour(step: 1 | -1): FeedCard | null {
    return this.current ? stepIn(this.queue, this.current.id, step, isTrack) : null
  }

  skip(step: 1 | -1): void {
    const next = this.neighbour(step)
    if (next && this.rpc) this.play(this.rpc, next, this.queue)
  }

  close(): void {
    this.stop()
    this.stop = () => {}
    this.current = null
    this.content = null
  }
}

/** The app's one mini-player state. */
export const listening = new Listening()
