/** Defaults of the pay service (src/node/pay/service.ts), in one place. */
import type { SpendLimits } from './spend.ts'

/** Slices a seeder serves ahead of payment (DESIGN §4.6: "credit in slices (default 2)"). */
export const DEFAULT_CREDIT = 2

/**
 * The spending caps a new profile starts with, in wei (the user changes them with
 * `pay.setSettings`). The price cap, 10^15 wei (0.001 ETH) per slice — about 4 ETH per GB at
 * 256 KiB slices — is a bound that refuses outliers, not an expected price. One item may take
 * at most 10^17 (0.1 ETH) and a day 10^18 (1 ETH): a runaway or hostile seeder costs at most
 * that before paid fetching stops and the page asks the user.
 */
export const DEFAULT_SPEND_LIMITS: SpendLimits = {
  maxPrice: 10n ** 15n,
  perItem: 10n ** 17n,
  perDay: 10n ** 18n,
}

/** How often the cash-out policy looks at what is owed (ms); accepted cheques also wake it. */
export const CASH_CHECK_MS = 30_000
/**
 * After accepted cheques the policy looks again once they pause this long (ms)…
 * (while a payer streams, a cheque comes every slice: looking after each would send a
 * cash-out every few seconds, each a transaction whose signing, receipt and log sync share
 * the machine with the transfer)
 */
export const CASH_AFTER_CHEQUE_MS = 2_000
/** …or at the latest this long (ms) after the first cheque of a burst that does not pause. */
export const CASH_BURST_MAX_MS = 60_000
/** How long a cashed line is left out of new batches while log sync catches up (ms). */
export const CASH_PENDING_MS = 10 * 60_000
/** The gas price is read at most this often (ms). */
export const GAS_PRICE_TTL_MS = 30_000

/** Chequebook log polling (ms) and confirmations, on the dev chain and elsewhere. */
export const POLL_MS_DEV = 300
export const POLL_MS = 2_000
export const CONFIRMATIONS_DEV = 0
export const CONFIRMATIONS = 2

/** How much of the earned/spent series is kept (ms): one day of one point per minute. */
export const SERIES_WINDOW_MS = 24 * 60 * 60_000
/** Series points are written to IndexedDB at most this often (ms). */
export const SERIES_FLUSH_MS = 5_000
/** Per-card earnings (earnings.ts) are written to IndexedDB at most this often (ms). */
export const EARNINGS_FLUSH_MS = 5_000
