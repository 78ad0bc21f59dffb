/** Defaults of the keys service (src/node/keys/). */

/** How often the KeyMarket logs are polled, in ms (dev chain / other chains). */
export const POLL_MS_DEV = 300
export const POLL_MS = 2_000

/** Blocks behind the head before a KeyMarket event is acted on (dev chain / other chains). */
export const CONFIRMATIONS_DEV = 0
export const CONFIRMATIONS = 2

/** The dev chain (anvil); only there is the relay's faucet offered. */
export const DEV_CHAIN_ID = 31337

/** Most basis points a royalty can be (100 %). */
export const MAX_BPS = 10_000
