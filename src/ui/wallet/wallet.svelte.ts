/**
 * The wallet's UI state (one manager per domain): account and balance, owned keys, creator
 * sales, and the titles of their cards. Refreshes on `keys.*` node events and on a short
 * interval while shown; the refund countdown runs on the chain's clock (offset measured at each
 * refresh).
 */

import type { CreatorSales, OwnedKey } from '../../shared/protocol/methods/keys.ts'
import type { WalletState } from '../../shared/protocol/methods/wallet.ts'
import { CardTitles } from '../feed/titles.svelte.ts'
import { errorText } from '../lib/action.svelte.ts'
import type { NodeState } from '../lib/node.svelte.ts'
import { accountOf } from './account.svelte.ts'

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
  /** The last action's error itself, for pay/ErrorNote.svelte (null when none). */
  failure = $state.raw<unknown>(null)
  busy = $state('')
  loaded = $state(false)
  #titles: CardTitles | null = null

  constructor(private readonly getNode: () => NodeState) {}

  private get node(): NodeState {
    return this.getNode()
  }

  /** A card's title, or null while unknown (read on refresh). */
  titleOf(cardId: string): string | null {
    return this.#titles?.of(cardId) ?? null
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
        this.#titles ??= new CardTitles(rpc)
        void this.#titles.want([
          ...lib.keys.map((k) => k.cardId),
          ...this.sales.listings.map((l) => l.cardId),
        ])
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
    this.failure = null
    try {
      await task()
      await this.refresh()
    } catch (err) {
      this.error = errorText(err)
      this.failure = err
    } finally {
      this.busy = ''
    }
  }

  /** Asks the relay's faucet (dev chain only) for ether (the page's one account model). */
  faucet(): Promise<void> {
    return this.act('faucet', async () => {
      const rpc = this.node.rpc
      if (!rpc) return
      await accountOf(rpc).faucet()
    })
  }
}
