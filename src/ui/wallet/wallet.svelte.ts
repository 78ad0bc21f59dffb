/**
 * The wallet's UI state (one manager per domain): account and balance, owned keys, creator
 * sales. Refreshes on `keys.*` node events and on a short interval while shown; the refund
 * countdown runs on the chain's clock (offset measured at each refresh).
 */

import type { CreatorSales, OwnedKey } from '../../shared/protocol/methods/keys.ts'
import type { WalletState } from '../../shared/protocol/methods/wallet.ts'
import { errorText } from '../lib/action.svelte.ts'
import type { NodeState } from '../lib/node.svelte.ts'

/** How often the wallet re-reads the chain while shown, in ms. */
export const REFRESH_MS = 3_000

export class WalletModel {
  wallet = $state<WalletState | null>(null)
  keys = $state<OwnedKey[]>([])
  sales = $state<CreatorSales | null>(null)
  /** Chain time minus local time, in seconds. */
  clockOffset = $state(0)
  now = $state(Date.now() / 1000)
  error = $state('')
  busy = $state('')
  loaded = $state(false)

  constructor(private readonly getNode: () => NodeState) {}

  private get node(): NodeState {
    return this.getNode()
  }

  chainNow(): number {
    return this.now + this.clockOffset
  }

  /** Starts refreshing; returns the stop function (for `$effect`). */
  start(): () => void {
    const rpc = this.node.rpc
    if (!rpc) return () => {}
    void this.refresh()
    const off = rpc.onEvent((e) => {
      if (e.kind === 'keys.update' || e.kind === 'keys.agent') void this.refresh()
    })
    const poll = setInterval(() => void this.refresh(), REFRESH_MS)
    const tick = setInterval(() => {
      this.now = Date.now() / 1000
    }, 1_000)
    return () => {
      off()
      clearInterval(poll)
      clearInterval(tick)
    }
  }

  async refresh(): Promise<void> {
    const rpc = this.node.rpc
    if (!rpc) return
    try {
      this.wallet = await rpc.call('wallet.state', undefined)
      if (this.wallet) {
        const lib = await rpc.call('keys.library', undefined)
        this.now = Date.now() / 1000
        this.clockOffset = lib.chainTime - this.now
        this.keys = lib.keys
        this.sales = await rpc.call('keys.sales', undefined)
      }
      this.loaded = true
    } catch (err) {
      this.error = errorText(err)
    }
  }

  /** Runs one action with a busy label; errors show in `error`. */
  async act(label: string, task: () => Promise<unknown>): Promise<void> {
    this.busy = label
    this.error = ''
    try {
      await task()
      await this.refresh()
    } catch (err) {
      this.error = errorText(err)
    } finally {
      this.busy = ''
    }
  }

  /** Asks the relay's faucet (dev chain only) for ether. */
  faucet(): Promise<void> {
    return this.act('faucet', async () => {
      const address = this.wallet?.address
      if (!address) return
      const res = await fetch('/faucet', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ address }),
      })
      if (!res.ok) throw new Error(`The faucet said: ${(await res.text()).slice(0, 200)}`)
    })
  }
}
