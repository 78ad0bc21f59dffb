/**
 * Log sync (DESIGN §4.2): reads contract events in batched block ranges up to
 * `head − confirmations`, hands them decoded to a callback, and persists a cursor in IndexedDB.
 * Before each pass it re-checks the hashes of the last blocks it passed; if the chain
 * reorganised below the cursor it rewinds to the newest block still on the chain, tells the
 * consumer (`onReorg`) to drop what it had from there, and re-reads those blocks.
 *
 * Delivery is at least once: the cursor is saved after `onLogs` returns, so a crash in between
 * re-delivers the batch. Consumers key events by `(blockHash, logIndex)` or make them idempotent.
 */
import {
  type Abi,
  type AbiEvent,
  type Address,
  BlockNotFoundError,
  type Log,
  type PublicClient,
} from 'viem'
import { AbortedError } from '../../shared/errors/common.ts'
import type { CursorStore, LogCursor, SeenBlock } from './cursorStore.ts'
import { decodeChainError } from './errors.ts'

/** A decoded event of `abi`. */
export type SyncedLog<abi extends Abi> = Log<bigint, number, false, undefined, true, abi>

/** Parameters of {@link syncLogsOnce} and {@link logSync}. */
export type LogSyncParameters<abi extends Abi> = {
  client: Pick<PublicClient, 'getBlock' | 'getBlockNumber' | 'getLogs'>
  /** Contract(s) whose events are read. */
  address: Address | Address[]
  abi: abi
  /** Only these events (default: every event in `abi`). */
  eventNames?: readonly string[]
  /** Cursor name, one per consumer and chain (e.g. `31337:feed`). */
  cursorKey: string
  store: CursorStore
  /** Where to start (the deployment block). */
  fromBlock: bigint
  /** Blocks to wait behind the head. Default 2. */
  confirmations?: number
  /** Blocks per `getLogs` call (halved on RPC errors). Default 2,000. */
  batchSize?: number
  /** How many passed blocks are re-checked for reorgs. Default 32. */
  reorgDepth?: number
  /**
   * Reads one range's logs, in chain order, for a consumer that wants fewer than every
   * `eventNames` event of `address` (e.g. only its own, by indexed arguments). Default: all.
   */
  read?: (range: { fromBlock: bigint; toBlock: bigint }) => Promise<SyncedLog<abi>[]>
  /** Called with each batch, in chain order; awaited before the cursor moves. */
  onLogs: (logs: SyncedLog<abi>[], range: { fromBlock: bigint; toBlock: bigint }) => unknown
  /** Called before re-reading after a reorg: drop everything from `fromBlock` on. */
  onReorg?: (fromBlock: bigint) => unknown
  signal: AbortSignal
}

/** What one pass did. */
export type SyncPassResult = {
  /** Last block delivered (the cursor minus one). */
  syncedTo: bigint
  logs: number
  /** Set when a reorg was found: the first block that was re-read. */
  reorgFrom?: bigint
}

function scopeOf(p: LogSyncParameters<Abi>): string {
  const addrs = (Array.isArray(p.address) ? p.address : [p.address]).map((a) => a.toLowerCase())
  return JSON.stringify({ a: addrs.sort(), f: p.fromBlock.toString(), e: p.eventNames ?? null })
}

/**
 * The hash of block `number`; undefined when the chain has no such block (past the head of a
 * chain that was reset). Any other failure — the RPC down, a restarting chain — throws: taken
 * for a missing block it would look like a reorg down to the deployment, and the consumer
 * would drop and re-read everything it had.
 */
async function blockHash(
  client: LogSyncParameters<Abi>['client'],
  number: bigint,
): Promise<`0x${string}` | undefined> {
  try {
    return (await client.getBlock({ blockNumber: number })).hash ?? undefined
  } catch (err) {
    if (err instanceof BlockNotFoundError) return undefined
    throw err
  }
}

/** Finds the newest seen block still on the chain; returns how many seen entries to keep. */
async function checkSeen(
  client: LogSyncParameters<Abi>['client'],
  seen: SeenBlock[],
): Promise<number> {
  for (let i = seen.length - 1; i >= 0; i--) {
    const s = seen[i] as SeenBlock
    if ((await blockHash(client, BigInt(s.number))) === s.hash) return i + 1
  }
  return 0
}

/**
 * Runs one sync pass up to `head − confirmations` and returns where it got to.
 * @example await syncLogsOnce({ client, address, abi: cardRegistryAbi, cursorKey, store, fromBlock, onLogs, signal })
 */
export async function syncLogsOnce<const abi extends Abi>(
  params: LogSyncParameters<abi>,
): Promise<SyncPassResult> {
  const p = params as unknown as LogSyncParameters<Abi>
  const { client, signal } = p
  const confirmations = BigInt(p.confirmations ?? 2)
  const reorgDepth = p.reorgDepth ?? 32
  let batch = BigInt(p.batchSize ?? 2_000)
  const events = p.abi.filter(
    (item): item is AbiEvent =>
      item.type === 'event' && (!p.eventNames || p.eventNames.includes(item.name)),
  )
  const scope = scopeOf(p)
  const stored = await p.store.get(p.cursorKey)
  let cursor: LogCursor =
    stored && stored.scope === scope
      ? stored
      : { key: p.cursorKey, scope, next: p.fromBlock.toString(), seen: [] }
  let result: SyncPassResult = { syncedTo: BigInt(cursor.next) - 1n, logs: 0 }

  try {
    signal.throwIfAborted()
    // Reorg check: every seen block must still have the hash we saw.
    if (cursor.seen.length > 0) {
      const keep = await checkSeen(client, cursor.seen)
      if (keep < cursor.seen.length) {
        const last = cursor.seen[keep - 1]
        const from = last ? BigInt(last.number) + 1n : p.fromBlock
        await p.onReorg?.(from)
        cursor = { ...cursor, next: from.toString(), seen: cursor.seen.slice(0, keep) }
        await p.store.put(cursor)
        result = { syncedTo: from - 1n, logs: 0, reorgFrom: from }
      }
    }
    const head = await client.getBlockNumber({ cacheTime: 0 })
    const target = head - confirmations
    let next = BigInt(cursor.next)
    while (next <= target) {
      signal.throwIfAborted()
      const to = next + batch - 1n < target ? next + batch - 1n : target
      const hashBefore = await blockHash(client, to)
      let logs: SyncedLog<Abi>[]
      try {
        logs = p.read
          ? await p.read({ fromBlock: next, toBlock: to })
          : ((await client.getLogs({
              address: p.address,
              events,
              fromBlock: next,
              toBlock: to,
              strict: true,
            })) as unknown as SyncedLog<Abi>[])
      } catch (err) {
        if (batch > 1n && to > next) {
          batch /= 2n // providers cap result sizes: retry with a smaller range
          continue
        }
        throw err
      }
      const hashAfter = await blockHash(client, to)
      // The chain changed under the read: stop here; the next pass re-checks and re-reads.
      if (!hashAfter || hashAfter !== hashBefore) break
      signal.throwIfAborted()
      await p.onLogs(logs, { fromBlock: next, toBlock: to })
      const seen = [...cursor.seen, { number: to.toString(), hash: hashAfter }].slice(-reorgDepth)
      cursor = { ...cursor, next: (to + 1n).toString(), seen }
      await p.store.put(cursor)
      result = { ...result, syncedTo: to, logs: result.logs + logs.length }
      next = to + 1n
    }
    return result
  } catch (err) {
    if (signal.aborted) throw new AbortedError('Log sync was cancelled.')
    throw decodeChainError(err)
  }
}

/**
 * Keeps syncing: a pass every `pollIntervalMs` until `signal` aborts (then it resolves).
 * Errors of a pass go to `onError` (default: rethrown, ending the loop); the loop then goes on
 * from the persisted cursor, so an outage of the RPC (a restarted chain) costs no event and
 * delivers none twice. `onPass` hears of every pass that ended well.
 * @example
 * const ac = new AbortController()
 * void logSync({ ...params, signal: ac.signal, pollIntervalMs: 2000 })
 */
export async function logSync<const abi extends Abi>(
  params: LogSyncParameters<abi> & {
    /** Default 2,000 ms. */
    pollIntervalMs?: number
    /** A typed error (decodeChainError's; `ChainUnreachableError` while the RPC is down). */
    onError?: (err: unknown) => void
    onPass?: (result: SyncPassResult) => void
  },
): Promise<void> {
  const interval = params.pollIntervalMs ?? 2_000
  while (!params.signal.aborted) {
    try {
      // Not `onPass?.(await …)`: an optional call skips evaluating its arguments.
      const result = await syncLogsOnce(params)
      params.onPass?.(result)
    } catch (err) {
      if (params.signal.aborted) return
      if (!params.onError) throw err
      params.onError(err)
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, interval)
      function done(): void {
        clearTimeout(t)
        params.signal.removeEventListener('abort', done)
        resolve()
      }
      params.signal.addEventListener('abort', done, { once: true })
    })
  }
}
