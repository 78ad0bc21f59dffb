/**
 * The account as the whole page sees it: address, balance, whether the dev faucet exists, and
 * "Get test ETH". One model per node client ({@link accountOf}), so the balance in the feed's
 * bar, an error note waiting for funds and the spend confirmation agree; it polls the node
 * only while something {@link AccountModel.watch}es it.
 */
import { untrack } from 'svelte'
import type { WalletState } from '../../shared/protocol/methods/wallet.ts'
import { errorText } from '../lib/action.svelte.ts'
import { perClient, Watched } from '../lib/perClient.ts'
import type { Rpc } from '../lib/rpc-client.ts'

/** How often a watched balance is re-read, in ms. */
export const ACCOUNT_POLL_MS = 3_000
/** How long "Get test ETH" waits for the balance to rise, in ms. */
export const FAUCET_WAIT_MS = 15_000

export class AccountModel {
  /** Null until read, and when the node has no chain or identity. */
  state = $state.raw<WalletState | null>(null)
  /** The faucet is being asked. */
  funding = $state(false)
  /** What the last faucet request said ('' when nothing to say). */
  message = $state('')
  #watched = new Watched(() => {
    untrack(() => void this.refresh())
    const timer = setInterval(() => void this.refresh(), ACCOUNT_POLL_MS)
    return () => clearInterval(timer)
  })

  constructor(private readonly rpc: Rpc) {}

  /** The balance in wei, or null before it was read. */
  get balance(): bigint | null {
    return this.state ? BigInt(this.state.balance) : null
  }

  /**
   * Keeps the balance fresh until the returned function is called (for `$effect`: reads no
   * state, so the effect does not re-run on every balance it brings).
   */
  watch(): () => void {
    return this.#watched.watch()
  }

  /** Re-reads the balance (one chain read); the whole state the first time or after a change of account. */
  async refresh(): Promise<void> {
    try {
      const known = this.state
      if (known) {
        const { address, balance } = await this.rpc.call('feed.account', undefined)
        if (address.toLowerCase() === known.address.toLowerCase()) {
          if (balance !== known.balance) this.state = { ...known, balance }
          return
        }
      }
      this.state = await this.rpc.call('wallet.state', undefined)
    } catch {
      // The node is busy or has no chain yet: keep what was known.
    }
  }

  /**
   * Asks the relay's faucet (dev chain only) and waits until the balance rises; a refusal is
   * thrown and kept in {@link message}.
   */
  async faucet(): Promise<void> {
    await this.refresh()
    const address = this.state?.address
    if (!address || this.funding) return
    const before = this.balance ?? 0n
    this.funding = true
    this.message = ''
    try {
      const res = await fetch('/faucet', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ address }),
      })
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: string }
        throw new Error(`The faucet said: ${(body.error ?? `HTTP ${res.status}`).slice(0, 200)}`)
      }
      this.message = 'Test ETH is on its way.'
      const deadline = Date.now() + FAUCET_WAIT_MS
      while (Date.now() < deadline) {
        await this.refresh()
        if ((this.balance ?? 0n) > before) {
          this.message = ''
          return
        }
        await new Promise((r) => setTimeout(r, 300))
      }
    } catch (err) {
      this.message = errorText(err)
      throw err
    } finally {
      this.funding = false
    }
  }
}

/** The page's one account model for this node client. */
export const accountOf = perClient((rpc) => new AccountModel(rpc))
