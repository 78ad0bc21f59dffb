/**
 * Following the Chequebook's events (Deposited, WithdrawAnnounced, Withdrawn, ChequeCashed)
 * with log sync and a persisted cursor (src/node/chain/logSync.ts). Unlike logSync's own loop
 * it knows the block it has synced to — the pay service pins its account reads to that block
 * (book.ts) — and it can be asked for a pass now (`syncNow`), so a cash or a deposit this
 * node just sent is reconciled without waiting for the next poll.
 */
import { chequebookAbi } from '../chain/abi.ts'
import type { ChainContext } from '../chain/clients.ts'
import type { CursorStore } from '../chain/cursorStore.ts'
import { syncLogsOnce } from '../chain/logSync.ts'
import type { Logger } from '../log.ts'
import type { ChequebookLog } from './book.ts'

/** The events the pay service follows. */
export const CHEQUEBOOK_EVENTS = [
  'Deposited',
  'WithdrawAnnounced',
  'Withdrawn',
  'ChequeCashed',
] as const

export type ChequebookSyncOptions = {
  chain: Pick<ChainContext, 'publicClient' | 'contracts'>
  cursors: CursorStore
  cursorKey: string
  /** The Chequebook's deployment block. */
  fromBlock: bigint
  confirmations: number
  pollIntervalMs: number
  /**
   * Each batch, in chain order; awaited before the cursor moves. {@link ChequebookSync.syncedTo}
   * already names the batch's last block when this is called.
   */
  onLogs(logs: ChequebookLog[], range: { fromBlock: bigint; toBlock: bigint }): Promise<void>
  /** The chain reorganised: everything from `fromBlock` on is read again. */
  onReorg(fromBlock: bigint): Promise<void>
  log: Logger
}

/** A running follower. */
export type ChequebookSync = {
  /** The last block delivered (before the first batch: where the persisted cursor stood). */
  readonly syncedTo: bigint
  /** Resolves after a whole pass that started after this call (its errors are logged). */
  syncNow(): Promise<void>
  /** Aborts and resolves once the pass in flight has ended. */
  stop(): Promise<void>
}

/**
 * Starts following; the first pass begins at once.
 * @example const sync = await startChequebookSync({ chain, cursors, cursorKey, fromBlock, … })
 */
export async function startChequebookSync(o: ChequebookSyncOptions): Promise<ChequebookSync> {
  const controller = new AbortController()
  const { signal } = controller
  const stored = await o.cursors.get(o.cursorKey)
  let syncedTo = stored ? BigInt(stored.next) - 1n : o.fromBlock - 1n
  let waiters: (() => void)[] = []
  let wake: (() => void) | null = null

  const pass = async (): Promise<void> => {
    try {
      await syncLogsOnce({
        client: o.chain.publicClient,
        address: o.chain.contracts.chequebook,
        abi: chequebookAbi,
        eventNames: CHEQUEBOOK_EVENTS,
        cursorKey: o.cursorKey,
        store: o.cursors,
        fromBlock: o.fromBlock,
        confirmations: o.confirmations,
        signal,
        onLogs: (logs, range) => {
          syncedTo = range.toBlock
          return o.onLogs(logs, range)
        },
        onReorg: (from) => {
          syncedTo = from - 1n
          return o.onReorg(from)
        },
      })
    } catch (err) {
      if (!signal.aborted) o.log.warn('chequebook sync pass failed: %s', (err as Error).message)
    }
  }

  const sleep = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve()
      const done = (): void => {
        clearTimeout(t)
        signal.removeEventListener('abort', done)
        wake = null
        resolve()
      }
      const t = setTimeout(done, o.pollIntervalMs)
      signal.addEventListener('abort', done, { once: true })
      wake = done
    })

  const running = (async () => {
    while (!signal.aborted) {
      const served = waiters
      waiters = []
      await pass()
      for (const w of served) w()
      if (waiters.length === 0) await sleep()
    }
    for (const w of waiters) w()
  })()

  return {
    get syncedTo() {
      return syncedTo
    },
    syncNow() {
      if (signal.aborted) return Promise.resolve()
      return new Promise<void>((resolve) => {
        waiters.push(resolve)
        wake?.()
      })
    },
    async stop() {
      controller.abort()
      await running
    },
  }
}
