/**
 * The fiat setting as UI state: one instance for the page, read by every {@link Amount} and
 * set from the wallet (FiatSettings.svelte). See fiat.ts.
 */
import { localStore } from '../lib/storage.ts'
import { type FiatRate, loadFiat, saveFiat } from './fiat.ts'

class FiatSetting {
  rate = $state<FiatRate | null>(loadFiatFrom(localStore()))

  set(rate: FiatRate | null): void {
    const s = localStore()
    if (s) saveFiat(s, rate)
    this.rate = rate
  }
}

function loadFiatFrom(s: Storage | null): FiatRate | null {
  return s ? loadFiat(s) : null
}

/** The page's fiat setting. */
export const fiat = new FiatSetting()
