import { SwarmItemNotFoundError } from '../../shared/errors/swarm.ts'
import type { SwarmStats } from '../../shared/protocol/methods/swarm.ts'
import type { RpcClient } from '../lib/rpc-client.ts'

/**
 * The player view's state: the item's swarm stats (pushed as `swarm.stats` events, read once
 * at start), and the play head reported back so the node moves its deadline window.
 */
export class PlayerState {
  stats = $state<SwarmStats | null>(null)
  error = $state<string | null>(null)
  /** True once the Service Worker controls the page, so `/c/…` reaches the content handler. */
  controlled = $state(false)
  private lastReport = 0

  constructor(
    private readonly rpc: RpcClient,
    readonly id: string,
  ) {}

  /** Subscribes to stats; returns the unsubscribe function. */
  start(): () => void {
    const off = this.rpc.onEvent((e) => {
      if (e.kind === 'swarm.stats' && (e.stats.itemId === this.id || e.stats.infoHash === this.id))
        this.stats = e.stats
    })
    this.rpc.call('swarm.status', { id: this.id }).then(
      (s) => {
        this.stats = s
      },
      (err: Error) => {
        // A local item that is not (yet) in the swarm still plays from the store.
        if (!(err instanceof SwarmItemNotFoundError)) this.error = err.message
      },
    )
    void this.waitForController()
    return off
  }

  /** Tells the node where playback is (at most every 500 ms, at once after a seek). */
  playhead(time: number, duration: number, force = false): void {
    const now = performance.now()
    if (!force && now - this.lastReport < 500) return
    if (!Number.isFinite(duration) || duration <= 0) return
    this.lastReport = now
    this.rpc.call('swarm.playhead', { id: this.id, time, duration }).catch(() => {})
  }

  private async waitForController(): Promise<void> {
    const sw = navigator.serviceWorker
    if (!sw) {
      this.error = 'This browser has no Service Worker: content cannot stream.'
      return
    }
    await sw.ready
    if (!sw.controller)
      await new Promise<void>((resolve) =>
        sw.addEventListener('controllerchange', () => resolve(), { once: true }),
      )
    this.controlled = true
  }
}

/** Bytes per second as a short rate. */
export function rate(bps: number): string {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} MB/s`
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(0)} kB/s`
  return `${Math.round(bps)} B/s`
}
