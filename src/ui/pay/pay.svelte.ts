/**
 * The payments UI's state (one manager per domain, like wallet.svelte.ts): the node's pay
 * overview (chequebook, settings, ledger lines, series), why paid fetching stopped, and the
 * outcome of the last action. It re-reads the overview on `pay.cheque` and `pay.chain` events
 * (at most every {@link PAY_THROTTLE_MS}, so a stream of cheques does not flood the node) and
 * on a slow poll; `pay.stopped` applies at once.
 */

import type { PayOverview } from '../../shared/protocol/methods/pay.ts'
import type { RpcClient } from '../lib/rpc-client.ts'
import { describeError, type Outcome } from './errors.ts'

/** How often the overview is re-read without an event, in ms. */
export const PAY_POLL_MS = 10_000
/** The least time between two event-driven re-reads, in ms. */
export const PAY_THROTTLE_MS = 500

/** What the model needs of the RPC client. */
export type PayRpc = Pick<RpcClient, 'call' | 'spend' | 'onEvent'>

export class PayModel {
  /** Null until loaded, and when the node has no chain ({@link loaded} tells which). */
  overview = $state.raw<PayOverview | null>(null)
  loaded = $state(false)
  stopped = $state.raw<PayOverview['stopped']>(null)
  /** Local clock, ms; ticks every second while started (countdowns, the plot's "now"). */
  now = $state(Date.now())
  /** The running action's label, '' when idle. */
  busy = $state('')
  /** What the last action did, or why it failed. */
  outcome = $state.raw<Outcome | null>(null)
  /** The last action's error itself (ErrorNote.svelte words it, with its next step). */
  failure = $state.raw<unknown>(null)
  /** Why the overview could not be read, '' when it could. */
  loadError = $state('')

  readonly #getRpc: () => PayRpc | null
  #timer: ReturnType<typeof setTimeout> | null = null
  /** Overview reads started and the newest one applied: an older answer never wins. */
  #asked = 0
  #applied = 0

  constructor(getRpc: () => PayRpc | null) {
    this.#getRpc = getRpc
  }

  /** Starts listening and polling; returns the stop function (for `$effect`). */
  start(): () => void {
    const rpc = this.#getRpc()
    if (!rpc) return () => {}
    void this.refresh()
    const off = rpc.onEvent((e) => {
      if (e.kind === 'pay.stopped') {
        this.stopped = e.stopped
        this.#applied = ++this.#asked // answers already on their way are older than this
        this.soon()
      } else if (e.kind === 'pay.cheque' || e.kind === 'pay.chain') this.soon()
    })
    const poll = setInterval(() => void this.refresh(), PAY_POLL_MS)
    const tick = setInterval(() => {
      this.now = Date.now()
    }, 1_000)
    return () => {
      off()
      clearInterval(poll)
      clearInterval(tick)
      if (this.#timer) clearTimeout(this.#timer)
      this.#timer = null
    }
  }

  /** A re-read soon: at most one per {@link PAY_THROTTLE_MS}, however many events come. */
  soon(): void {
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      void this.refresh()
    }, PAY_THROTTLE_MS)
  }

  async refresh(): Promise<void> {
    const rpc = this.#getRpc()
    if (!rpc) return
    const n = ++this.#asked
    try {
      const overview = await rpc.call('pay.overview', undefined)
      if (n < this.#applied) return
      this.#applied = n
      this.overview = overview
      this.stopped = overview?.stopped ?? null
      this.now = Date.now()
      this.loaded = true
      this.loadError = ''
    } catch (err) {
      if (n >= this.#applied) this.loadError = describeError(err)?.text ?? ''
    }
  }

  /**
   * Runs one action (its result is the text to show), then re-reads the overview. Returns
   * whether it succeeded; a failure lands in {@link failure}, never thrown.
   */
  async act(label: string, task: (rpc: PayRpc) => Promise<string>): Promise<boolean> {
    const rpc = this.#getRpc()
    if (!rpc) {
      this.failure = new Error('The node is not running in this tab.')
      return false
    }
    this.busy = label
    this.outcome = null
    this.failure = null
    try {
      this.outcome = { tone: 'info', text: await task(rpc) }
      await this.refresh()
      return true
    } catch (err) {
      this.failure = err
      return false
    } finally {
      this.busy = ''
    }
  }
}
