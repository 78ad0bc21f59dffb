/**
 * `npm run bench -- feed`: the feed indexer and queries in a Chromium dedicated worker.
 * Rows: feed_query_p95_ms (first page of every lens × sort over 100,000 indexed cards),
 * search_p95_ms (over the same cards), sync_10k_events_s (indexing 10,000 CardPosted events
 * from anvil), each beside its target row. The cards are posted to anvil with a 1 s block
 * time (anvil drops large automined bursts), several hundred per block.
 */
import { fileURLToPath } from 'node:url'
import { createPublicClient, encodeFunctionData, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { startAnvil } from '../scripts/chain/anvil.ts'
import { anvilDeployerKey, deployContracts } from '../scripts/chain/deploy.ts'
import { cardRegistryAbi } from '../src/node/chain/abi.ts'
import { syntheticWords } from '../src/node/feed/synthetic.ts'
import { encodeCard } from '../src/shared/card/card.ts'
import { runWorkerInChromium } from './_browser/runInChromium.ts'
import type { BenchOptions, BenchRow } from './lib.ts'

const WORDS = syntheticWords()

function benchCard(i: number): Hex {
  const card = encodeCard({
    v: 1,
    kind: 'post',
    title: `Bench card ${i}`,
    text: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]}`,
    tags: ['bench'],
    createdAt: 1_790_000_000 + i,
    access: { free: true },
  })
  return `0x${Buffer.from(card).toString('hex')}`
}

/**
 * Posts `n` cards, signed here and sent raw (one RPC per transaction, no per-transaction fee
 * or chain-id lookups), with a gas limit near the real cost so a block holds hundreds.
 */
async function postCards(rpcUrl: string, registry: Hex, n: number, log: (m: string) => void) {
  const account = privateKeyToAccount(anvilDeployerKey)
  const chain = { ...foundry, id: 31337 }
  const pub = createPublicClient({ chain, transport: http(rpcUrl) })
  const data = (i: number) =>
    encodeFunctionData({ abi: cardRegistryAbi, functionName: 'post', args: [benchCard(i)] })
  let nonce = await pub.getTransactionCount({ address: account.address, blockTag: 'pending' })
  const gas =
    ((await pub.estimateGas({ account, to: registry, data: data(n - 1) })) * 3n) / 2n + 5_000n
  const fees = await pub.estimateFeesPerGas()
  const t0 = Date.now()
  let last: Hex | undefined
  for (let i = 0; i < n; i += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, n - i) }, (_, j) =>
        account.signTransaction({
          chainId: chain.id,
          type: 'eip1559',
          to: registry,
          data: data(i + j),
          nonce: nonce++,
          gas,
          maxFeePerGas: fees.maxFeePerGas * 4n,
          maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        }),
      ),
    )
    const hashes = await Promise.all(
      batch.map((serializedTransaction) => pub.sendRawTransaction({ serializedTransaction })),
    )
    last = hashes[hashes.length - 1]
  }
  if (last) await pub.waitForTransactionReceipt({ hash: last, timeout: 300_000 })
  log(`posted ${n} cards in ${((Date.now() - t0) / 1000).toFixed(1)} s (gas limit ${gas})`)
}

export async function run({ signal, log }: BenchOptions): Promise<BenchRow[]> {
  const events = Number(process.env.BENCH_FEED_EVENTS ?? 10_000)
  const cards = Number(process.env.BENCH_FEED_CARDS ?? 100_000)
  const anvil = await startAnvil({ blockTime: 1 })
  try {
    const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl })
    await postCards(anvil.rpcUrl, deployed.cardRegistry, events, log)
    const r = await runWorkerInChromium<{ queryP95: number; searchP95: number; syncS: number }>({
      entry: fileURLToPath(new URL('./_browser/feed.worker.ts', import.meta.url)),
      signal,
      log,
      timeoutMs: 900_000,
      params: {
        rpcUrl: anvil.rpcUrl,
        chainId: deployed.chainId,
        cardRegistry: deployed.cardRegistry,
        deployBlock: deployed.deployBlock,
        expectEvents: events,
        cards,
        words: WORDS,
      },
    })
    const round = (x: number) => Number(x.toFixed(2))
    return [
      { name: 'feed_query_target_ms', value: 30, unit: 'ms' },
      {
        name: 'feed_query_p95_ms',
        value: round(r.queryP95),
        unit: 'ms',
        baseline: 'feed_query_target_ms',
      },
      { name: 'search_target_ms', value: 50, unit: 'ms' },
      {
        name: 'search_p95_ms',
        value: round(r.searchP95),
        unit: 'ms',
        baseline: 'search_target_ms',
      },
      { name: 'sync_target_s', value: 10, unit: 's' },
      { name: 'sync_10k_events_s', value: round(r.syncS), unit: 's', baseline: 'sync_target_s' },
    ]
  } finally {
    await anvil.stop()
  }
}
