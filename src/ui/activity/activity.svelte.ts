/**
 * Activity as UI state (issue #18 item 4), one instance for the page: the unread count the
 * header's bell shows and the notifications the activity view lists. It follows the node's
 * `activity.update` events, so the count moves without polling; the read state itself lives in
 * the node (IndexedDB), so it survives reloads.
 */
import type { ShownEntry } from '../../shared/protocol/methods/activity.ts'
import { errorText } from '../lib/action.svelte.ts'
import type { Rpc } from '../lib/rpc-client.ts'

export class ActivityState {
  unread = $state(0)
  /** The node answered once (the bell's count is real, not the initial 0). */
  loaded = $state(false)
  entries = $state.raw<ShownEntry[]>([])
  /** Ids that were unread at some moment while the view was open: shown as new. */
  fresh = $state.raw<ReadonlySet<string>>(new Set())
  error = $state('')
  #rpc: Rpc | null = null
  /** Whether the notifications are on screen: what arrives then is read at once. */
  #showing = false

  /** Follows the node's activity; returns the stop function (for `$effect`). */
  start(rpc: Rpc): () => void {
    this.#rpc = rpc
    const off = rpc.onEvent((e) => {
      if (e.kind !== 'activity.update') return
      this.unread = e.unread
      // Withdrawn by a reorg: gone from the list at once.
      const removed = new Set(e.removed ?? [])
      if (removed.size > 0) this.entries = this.entries.filter((x) => !removed.has(x.id))
      if (this.#showing && e.added.length > 0) void this.open()
    })
    void this.refresh()
    return () => {
      off()
      this.#rpc = null
      this.loaded = false
    }
  }

  /** Reads the newest notifications and the unread count. */
  async refresh(): Promise<void> {
    const rpc = this.#rpc
    if (!rpc) return
    try {
      const r = await rpc.call('activity.list', { limit: 100 })
      this.entries = r.entries
      const unread = r.entries.filter((e) => e.read === false).map((e) => e.id)
      if (this.#showing && unread.length > 0) this.fresh = new Set([...this.fresh, ...unread])
      this.unread = r.unread
      this.loaded = true
      this.error = ''
    } catch (err) {
      this.error = errorText(err)
    }
  }

  /**
   * The person is looking: lists what is there (unread entries keep `read: false`, so the view
   * can mark them new) and marks everything read.
   */
  async open(): Promise<void> {
    this.#showing = true
    await this.refresh()
    const rpc = this.#rpc
    if (!rpc || this.unread === 0) return
    try {
      this.unread = (await rpc.call('activity.markRead', undefined)).unread
    } catch (err) {
      this.error = errorText(err)
    }
  }

  /** The view closed. */
  close(): void {
    this.#showing = false
    this.fresh = new Set()
  }
}

/** The page's activity. */
export const activity = new ActivityState()
