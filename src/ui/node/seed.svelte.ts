/**
 * The personal node's UI state (DESIGN §4.7; one manager per domain): its seeding settings as
 * a form (seedForm.ts), and storage per item against the budget and the quota, re-read while
 * the node page is open.
 */
import type { SeedUsage, SeedUsageItem } from '../../shared/protocol/methods/seed.ts'
import { errorText } from '../lib/action.svelte.ts'
import type { Rpc } from '../lib/rpc-client.ts'
import { formOf, type SeedForm, settingsOf } from './seedForm.ts'

/** How often usage is re-read while the node page is open. */
export const USAGE_REFRESH_MS = 5_000

export class SeedModel {
  form = $state<SeedForm | null>(null)
  usage = $state<SeedUsage | null>(null)
  error = $state('')
  saved = $state(false)
  busy = $state('')

  constructor(private readonly rpc: () => Rpc | null) {}

  /** Loads the settings and polls usage; returns the stop function (for `$effect`). */
  start(): () => void {
    void this.load()
    const poll = setInterval(() => void this.refreshUsage(), USAGE_REFRESH_MS)
    return () => clearInterval(poll)
  }

  async load(): Promise<void> {
    await this.task('load', async (rpc) => {
      this.form = formOf(await rpc.call('seed.settings', undefined))
      this.usage = await rpc.call('seed.usage', undefined)
    })
  }

  async refreshUsage(): Promise<void> {
    const rpc = this.rpc()
    if (!rpc) return
    this.usage = await rpc.call('seed.usage', undefined).catch(() => this.usage)
  }

  async save(): Promise<void> {
    const form = this.form
    if (!form) return
    this.saved = false
    await this.task('save', async (rpc) => {
      this.form = formOf(await rpc.call('seed.setSettings', settingsOf(form)))
      this.saved = true
      this.usage = await rpc.call('seed.usage', undefined)
    })
  }

  async setPinned(item: SeedUsageItem, pinned: boolean): Promise<void> {
    await this.task(`pin:${item.id}`, async (rpc) => {
      await rpc.call('seed.setItem', { itemId: item.id, pinned })
      this.usage = await rpc.call('seed.usage', undefined)
    })
  }

  /** An empty price goes back to the default. */
  async setPrice(item: SeedUsageItem, price: string): Promise<void> {
    const p = price.trim()
    await this.task(`price:${item.id}`, async (rpc) => {
      await rpc.call('seed.setItem', { itemId: item.id, pricePerSlice: p === '' ? null : p })
      this.usage = await rpc.call('seed.usage', undefined)
    })
  }

  private async task(name: string, fn: (rpc: Rpc) => Promise<void>): Promise<void> {
    const rpc = this.rpc()
    if (!rpc) return
    this.busy = name
    this.error = ''
    try {
      await fn(rpc)
    } catch (err) {
      this.error = errorText(err)
    } finally {
      this.busy = ''
    }
  }
}
