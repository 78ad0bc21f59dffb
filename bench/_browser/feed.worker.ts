/**
 * The feed benchmark inside a Chromium dedicated worker (bench/feed.ts): indexes the
 * CardPosted events anvil holds, then fills another database with 100,000 synthetic cards
 * and times the first page of each lens and searches.
 */
import { createPublicClient, http } from 'viem'
import { openCursorStore } from '../../src/node/chain/cursorStore.ts'
import { openFeedDb } from '../../src/node/feed/db.ts'
import { FeedIndexer } from '../../src/node/feed/indexer.ts'
import { applyEvents } from '../../src/node/feed/ingest.ts'
import { queryFeed, searchCards } from '../../src/node/feed/query.ts'
import { seededRandom, syntheticEvents } from '../../src/node/feed/synthetic.ts'
import type { Hex } from '../../src/shared/card/card.ts'
import { LENSES, type Sort } from '../../src/shared/card/feed.ts'

type Params = {
  rpcUrl: string
  chainId: number
  cardRegistry: Hex
  deployBlock: number
  expectEvents: number
  cards: number
  words: string[]
}
const post = (m: unknown) => (self as unknown as Worker).postMessage(m)
const log = (message: string) => post({ type: 'log', message })

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] as number
}

const rand = seededRandom(42)
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() ** 2 * xs.length)] as T

async function syncBench(p: Params): Promise<number> {
  const db = await openFeedDb('bench-sync')
  const cursors = await openCursorStore({ dbName: 'bench-sync-cursors' })
  const rpc = createPublicClient({ transport: http(p.rpcUrl) })
  // getLogs timed apart (RPC, JSON and viem's ABI decoding) from the indexing it feeds.
  let getLogsMs = 0
  const client = {
    getBlock: rpc.getBlock,
    getBlockNumber: rpc.getBlockNumber,
    getLogs: (async (args: Parameters<typeof rpc.getLogs>[0]) => {
      const t = performance.now()
      try {
        return await rpc.getLogs(args)
      } finally {
        getLogsMs += performance.now() - t
      }
    }) as typeof rpc.getLogs,
  }
  let cards = 0
  const indexer = new FeedIndexer(
    { db, client, cursors, onGossip: () => () => {}, onChange: (c) => (cards += c.length) },
    {
      chainId: p.chainId,
      cardRegistry: p.cardRegistry,
      deployBlock: p.deployBlock,
      confirmations: 0,
      batchSize: 2_000,
    },
  )
  const t0 = performance.now()
  await indexer.syncOnce(new AbortController().signal)
  const s = (performance.now() - t0) / 1000
  const count = await db.count('cards')
  log(
    `synced ${count} cards (${cards} changes) in ${s.toFixed(2)} s, of which getLogs ${(getLogsMs / 1000).toFixed(2)} s`,
  )
  if (count < p.expectEvents) throw new Error(`indexed ${count} of ${p.expectEvents} cards`)
  db.close()
  cursors.close()
  return s
}

async function fill(p: Params) {
  const db = await openFeedDb('bench-query')
  const now = Date.now()
  const t0 = performance.now()
  for (let i = 0; i < p.cards; i += 2_000) {
    const events = syntheticEvents(i, Math.min(p.cards, i + 2_000), { now, words: p.words, rand })
    await applyEvents(db, events)
    if (i % 20_000 === 0) log(`filled ${i + 2_000} cards`)
  }
  log(`filled ${p.cards} cards in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  return db
}

self.onmessage = async (e: MessageEvent<{ type: string; params: Params }>) => {
  if (e.data?.type !== 'start') return
  const p = e.data.params
  try {
    const syncS = await syncBench(p)
    const db = await fill(p)
    const me = '0x0000000000000000000000000000000000000007' as Hex
    const following = async () =>
      Array.from({ length: 20 }, (_, i) => `0x${(i * 7).toString(16).padStart(40, '0')}` as Hex)
    const times: number[] = []
    const sorts: Sort[] = ['new', 'top', 'trending']
    for (let r = 0; r < 5; r++)
      for (const lens of LENSES)
        for (const sort of sorts) {
          const t = performance.now()
          const page = await queryFeed(db, { lens, sort, limit: 20 }, { me, following })
          times.push(performance.now() - t)
          if (page.items.length === 0) throw new Error(`lens ${lens} is empty`)
        }
    // Warm-up, unmeasured (the lens loop above warms itself: it runs five rounds). Fixed words,
    // so the measured queries stay the same sequence as before.
    for (let r = 0; r < 10; r++) await searchCards(db, p.words[(r * 97) % p.words.length] ?? '', 20)
    const searches: number[] = []
    const slow: [number, string][] = []
    for (let r = 0; r < 100; r++) {
      const q = r % 3 === 0 ? `${pick(p.words)} ${pick(p.words).slice(0, 3)}` : pick(p.words)
      const t = performance.now()
      const hits = await searchCards(db, q, 20)
      const ms = performance.now() - t
      searches.push(ms)
      slow.push([ms, `"${q}" (${hits.length} hits)`])
    }
    slow.sort((a, b) => b[0] - a[0])
    log(
      `slowest searches: ${slow
        .slice(0, 5)
        .map(([ms, q]) => `${q} ${ms.toFixed(1)} ms`)
        .join(', ')}`,
    )
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number
    log(
      `query p50 ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms; ` +
        `search p50 ${median(searches).toFixed(1)} ms, max ${Math.max(...searches).toFixed(1)} ms`,
    )
    post({
      type: 'result',
      value: { queryP95: p95(times), searchP95: p95(searches), syncS },
    })
  } catch (err) {
    post({ type: 'error', error: (err as Error).stack ?? String(err) })
  }
}
