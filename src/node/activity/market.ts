/**
 * The market follower of the activity service: one log sync per account (persisted cursor, as
 * the keys agent and owner do) over the KeyMarket and the Chequebook, reading per range only
 * what concerns this account — its own `Listed`, every mint (`Transfer` from zero: sales of my
 * listings and my purchases), every `Resold` (rare; royalties, resales, purchases), its
 * `Claimed` on both contracts, and every `ChequeCashed` (mine as payee or payer, and the
 * royalties of cheques on my cards) — filtered by indexed arguments on the node where an
 * argument says whose it is, never the whole market's history of everything.
 *
 * On a dev chain it runs without confirmations and polls every 300 ms, so a creator hears of a
 * sale while its block is the newest (issue #18: "a sale appears within one block").
 */
import type { Abi } from 'viem'
import { chequebookAbi, keyMarketAbi } from '../chain/abi.ts'
import type { ChainContext } from '../chain/clients.ts'
import type { CursorStore } from '../chain/cursorStore.ts'
import { logSync, type SyncedLog } from '../chain/logSync.ts'
import {
  CONFIRMATIONS,
  CONFIRMATIONS_DEV,
  DEV_CHAIN_ID,
  POLL_MS,
  POLL_MS_DEV,
} from '../keys/constants.ts'
import type { Logger } from '../log.ts'
import type { MarketLog } from './entries.ts'

const ZERO = '0x0000000000000000000000000000000000000000'

/** The events read, of both contracts (logSync's scope names them). */
const marketAbi = [
  ...keyMarketAbi.filter(
    (e) => e.type === 'event' && ['Listed', 'Transfer', 'Resold', 'Claimed'].includes(e.name),
  ),
  ...chequebookAbi.filter((e) => e.type === 'event' && e.name === 'ChequeCashed'),
] as Abi

/**
 * This account's market logs of a block range, in chain order.
 * @example const logs = await readMarketLogs(chain, { fromBlock: 1n, toBlock: 9n })
 */
export async function readMarketLogs(
  chain: Pick<ChainContext, 'publicClient' | 'contracts' | 'account'>,
  range: { fromBlock: bigint; toBlock: bigint },
): Promise<MarketLog[]> {
  const { publicClient: pc, contracts } = chain
  const me = chain.account.address
  const km = { address: contracts.keyMarket, abi: keyMarketAbi, ...range, strict: true as const }
  const cb = { address: contracts.chequebook, abi: chequebookAbi, ...range, strict: true as const }
  const [listed, mints, resold, kmClaims, cashed, cbClaims] = await Promise.all([
    pc.getContractEvents({ ...km, eventName: 'Listed', args: { creator: me } }),
    pc.getContractEvents({ ...km, eventName: 'Transfer', args: { from: ZERO } }),
    pc.getContractEvents({ ...km, eventName: 'Resold' }),
    pc.getContractEvents({ ...km, eventName: 'Claimed', args: { account: me } }),
    // Every cash-out, not only mine as payee or payer: a cheque on a card of mine pays me its
    // royalty whoever cashes it (entries.ts keeps what concerns me).
    pc.getContractEvents({ ...cb, eventName: 'ChequeCashed' }),
    pc.getContractEvents({ ...cb, eventName: 'Claimed', args: { account: me } }),
  ])
  const all = [
    ...listed,
    ...mints,
    ...resold,
    ...kmClaims.map((l) => ({ ...l, source: 'keyMarket' as const })),
    ...cashed,
    ...cbClaims.map((l) => ({ ...l, source: 'chequebook' as const })),
  ] as unknown as (MarketLog & { blockHash: string })[]
  const byPosition = new Map<string, MarketLog>()
  for (const l of all) byPosition.set(`${l.blockHash}:${l.logIndex}`, l) // a cheque to oneself
  return [...byPosition.values()].sort(
    (x, y) => Number(x.blockNumber - y.blockNumber) || x.logIndex - y.logIndex,
  )
}

export type MarketFollowerOptions = {
  chain: ChainContext
  cursors: CursorStore
  fromBlock: bigint
  onLogs(logs: MarketLog[]): Promise<void>
  /** A reorg: drop what came from `fromBlock` on (those blocks are read again). */
  onReorg?(fromBlock: bigint): Promise<void>
  log: Logger
}

/**
 * Follows until `stop()`; see the module comment.
 * @example const f = followMarket({ chain, cursors, fromBlock, onLogs, log }); await f.stop()
 */
export function followMarket(o: MarketFollowerOptions): { stop(): Promise<void> } {
  const controller = new AbortController()
  const dev = o.chain.chain.id === DEV_CHAIN_ID
  const running = logSync({
    client: o.chain.publicClient,
    address: [o.chain.contracts.keyMarket, o.chain.contracts.chequebook],
    abi: marketAbi,
    cursorKey: `${o.chain.chain.id}:activity:${o.chain.account.address.toLowerCase()}`,
    store: o.cursors,
    fromBlock: o.fromBlock,
    confirmations: dev ? CONFIRMATIONS_DEV : CONFIRMATIONS,
    pollIntervalMs: dev ? POLL_MS_DEV : POLL_MS,
    signal: controller.signal,
    read: async (range) =>
      (await readMarketLogs(o.chain, range)) as unknown as SyncedLog<typeof marketAbi>[],
    onLogs: (logs) => o.onLogs(logs as unknown as MarketLog[]),
    ...(o.onReorg ? { onReorg: o.onReorg } : {}),
    onError: (err) => o.log.warn('market sync pass failed: %s', (err as Error).message),
  })
  return {
    stop: async () => {
      controller.abort()
      await running.catch(() => {})
    },
  }
}
