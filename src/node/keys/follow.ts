/**
 * Following the KeyMarket's events, shared by the key agent (agent.ts: `KeyRequested`) and the
 * owner side (owner.ts: `Transfer`, `KeyDelivered`): one `logSync` per role and account with a
 * persisted cursor, dev or production confirmations and poll interval, failures logged and
 * reported, and a stop that waits for the pass in flight.
 */
import { keyMarketAbi } from '../chain/abi.ts'
import type { ChainContext } from '../chain/clients.ts'
import type { CursorStore } from '../chain/cursorStore.ts'
import { logSync, type SyncedLog } from '../chain/logSync.ts'
import type { Logger } from '../log.ts'
import {
  CONFIRMATIONS,
  CONFIRMATIONS_DEV,
  DEV_CHAIN_ID,
  POLL_MS,
  POLL_MS_DEV,
} from './constants.ts'

export type FollowKeyMarketOptions = {
  chain: ChainContext
  cursors: CursorStore
  fromBlock: bigint
  /** Names the cursor with the chain id and account: `<chain>:<role>:<account>`. */
  role: string
  eventNames: readonly string[]
  /** Reads a range's logs itself (logSync's `read`): default, every `eventNames` event. */
  read?: (range: {
    fromBlock: bigint
    toBlock: bigint
  }) => Promise<SyncedLog<typeof keyMarketAbi>[]>
  onLogs: (logs: SyncedLog<typeof keyMarketAbi>[], signal: AbortSignal) => Promise<void>
  log: Logger
  onError?: ((err: unknown) => void) | undefined
}

/** A running follower; `stop()` aborts it and resolves once its last pass has ended. */
export type Follower = { stop(): Promise<void> }

/** Starts following; see the module comment. */
export function followKeyMarket(o: FollowKeyMarketOptions): Follower {
  const controller = new AbortController()
  const dev = o.chain.chain.id === DEV_CHAIN_ID
  const running = logSync({
    client: o.chain.publicClient,
    address: o.chain.contracts.keyMarket,
    abi: keyMarketAbi,
    eventNames: o.eventNames,
    cursorKey: `${o.chain.chain.id}:${o.role}:${o.chain.account.address.toLowerCase()}`,
    store: o.cursors,
    fromBlock: o.fromBlock,
    confirmations: dev ? CONFIRMATIONS_DEV : CONFIRMATIONS,
    pollIntervalMs: dev ? POLL_MS_DEV : POLL_MS,
    signal: controller.signal,
    ...(o.read ? { read: o.read } : {}),
    onLogs: (logs) => o.onLogs(logs, controller.signal),
    onError: (err) => {
      o.log.warn('sync pass failed: %s', (err as Error).message)
      o.onError?.(err)
    },
  })
  return {
    stop: async () => {
      controller.abort()
      await running.catch(() => {})
    },
  }
}
