/**
 * The fiat setting as UI state: one instance for the page, read by every {@link Amount} and
 * set from the wallet (FiatSettings.svelte). See fiat.ts.
 */
import { type FiatRate, loadFiat, saveFiat } from './fiat.ts'

class FiatSetting {
  rate = $state<FiatRate | null>(
    typeof localStorage === 'undefined' ? null : loadFiat(localStorage),
  )

  set(rate: FiatRate | null): void {
    saveFiat(localStorage, rate)
    this.rate = rate
  }
}

/** The page's fiat setting. */
export const fiat = new FiatSetting()
