/**
 * `npm run bench -- keys` (run `npx vite build` first): key purchase latency between two real
 * Chromium nodes on anvil with a 1 s block time (`startStack({ blockTime: 1 })`), the
 * creator's agent online and the ciphertext already at the buyer.
 *
 * Rows:
 * - `buy_to_first_slice_ms` (p50): buy click (the `keys.buy` call) → key delivered and stored in
 *   the vault → first slice decrypted with it (`keys.decrypt`). This stands in for
 *   `buy_to_play_ms` (first video frame) until the stream path (issue 5) plays `/c/<id>`;
 *   playback adds the SW/stream start (≈ 110 ms measured in PLATFORM.md) on top.
 * - `buy_to_first_slice_target_ms`: the 3,000 ms target, the baseline of the row above.
 * - `key_delivery_ms` (p50): `buy` mined (the call returned) → key in the vault.
 * - `buy_mined_ms` (p50): the `buy` transaction alone, for scale (≈ one block).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Page } from '@playwright/test'
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  keccak256,
  toHex,
} from 'viem'
import { chromiumLaunchOptions } from '../e2e/browser.ts'
import { startStack } from '../scripts/stack.ts'
import { cardRegistryAbi } from '../src/node/chain/abi.ts'
import { type BenchRow, percentile } from './lib.ts'

const ROUNDS = Number(process.env.BENCH_KEYS_ROUNDS ?? 5)
const TARGET_MS = 3_000

type Hashcard = { hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<unknown> } } } }

async function call<T>(page: Page, method: string, params?: unknown): Promise<T> {
  return (await page.evaluate(
    ([m, p]) => (globalThis as unknown as Hashcard).hashcard.node.rpc.call(m as string, p),
    [method, params] as const,
  )) as T
}

async function onboard(page: Page): Promise<`0x${string}`> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const ok = await page
      .evaluate(() => !!(globalThis as unknown as Partial<Hashcard>).hashcard?.node.rpc)
      .catch(() => false)
    if (ok) break
    if (Date.now() > deadline) throw new Error('the node did not start')
    await page.waitForTimeout(100)
  }
  const { mnemonic } = await call<{ mnemonic: string }>(page, 'identity.create', { words: 12 })
  const { address } = await call<{ address: `0x${string}` }>(page, 'identity.confirm', {
    words: [{ position: 1, word: mnemonic.split(' ')[0] }],
  })
  const res = await page.request.post('/faucet', { data: { address } })
  if (!res.ok()) throw new Error(`faucet: ${res.status()}`)
  return address
}

export async function run({
  signal,
  log,
}: {
  signal: AbortSignal
  log: (msg: string) => void
}): Promise<BenchRow[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hashcard-bench-keys-'))
  const stack = await startStack({
    dataDir,
    appDir: join(import.meta.dirname, '..', 'dist'),
    blockTime: 1,
    relayStderr: 'ignore',
  })
  const browser = await chromium.launch(chromiumLaunchOptions())
  try {
    const [a, b] = await Promise.all(
      [0, 1].map(async () => {
        const ctx = await browser.newContext({ baseURL: stack.relay.url })
        const page = await ctx.newPage()
        await page.goto('/node')
        return page
      }),
    )
    const creator = await onboard(a!)
    await onboard(b!)
    log('identities ready')
    // A publishes 1 MiB and lists it; the card is posted on A's behalf (anvil impersonation).
    const item = await a!.evaluate(
      () =>
        (globalThis as unknown as Hashcard).hashcard.node.rpc.call('store.publishFile', {
          file: new Blob([new Uint8Array(1 << 20).fill(7)]),
          sliceSize: 262_144,
        }) as Promise<{ id: string; contentSalt: string }>,
    )
    const card = toHex(JSON.stringify({ v: 1, kind: 'video', salt: item.contentSalt }))
    await createTestClient({ mode: 'anvil', transport: http(stack.rpcUrl) }).impersonateAccount({
      address: creator,
    })
    const hash = await createWalletClient({
      account: creator,
      transport: http(stack.rpcUrl),
    }).writeContract({
      address: stack.chain.contracts.cardRegistry,
      abi: cardRegistryAbi,
      functionName: 'post',
      args: [card],
      chain: null,
    })
    await createPublicClient({ transport: http(stack.rpcUrl) }).waitForTransactionReceipt({ hash })
    const cardId = keccak256(card)
    await call(a!, 'keys.registerCard', { cardId, itemId: item.id })
    await call(a!, 'keys.list', {
      cardId,
      price: '1000000000000000',
      supply: 0,
      royaltyBps: 500,
      transferFee: '0',
    })
    await call(b!, 'keys.registerCard', { cardId, contentSalt: item.contentSalt })
    // The buyer already holds the ciphertext (swarming): slice 0 from the creator's OPFS file.
    const slice0 = await a!.evaluate(async (id) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('hashcard-v1')
      const f = await (await dir.getFileHandle(id)).getFile()
      return Array.from(new Uint8Array(await f.slice(0, 262_144).arrayBuffer()))
    }, item.id)

    const total: number[] = []
    const delivery: number[] = []
    const mined: number[] = []
    for (let i = 0; i < ROUNDS && !signal.aborted; i++) {
      const t = await b!.evaluate(
        async ([id, ct]) => {
          const rpc = (globalThis as unknown as Hashcard).hashcard.node.rpc as {
            call(m: string, p: unknown): Promise<unknown>
            onEvent(l: (e: { kind: string; change?: string; tokenId?: string }) => void): () => void
          }
          const keyed = new Map<string, number>()
          const waiters = new Map<string, () => void>()
          const off = rpc.onEvent((e) => {
            if (e.kind !== 'keys.update' || e.change !== 'key' || !e.tokenId) return
            keyed.set(e.tokenId, performance.now())
            waiters.get(e.tokenId)?.()
          })
          const t0 = performance.now()
          const { tokenId } = (await rpc.call('keys.buy', { cardId: id })) as { tokenId: string }
          const t1 = performance.now()
          if (!keyed.has(tokenId))
            await new Promise<void>((resolve, reject) => {
              waiters.set(tokenId, resolve)
              setTimeout(() => reject(new Error('no key within 60 s')), 60_000)
            })
          const t2 = keyed.get(tokenId)!
          await rpc.call('keys.decrypt', {
            cardId: id,
            index: 0,
            last: false,
            ciphertext: new Uint8Array(ct as number[]),
          })
          const t3 = performance.now()
          off()
          return { total: t3 - t0, delivery: t2 - t1, mined: t1 - t0 }
        },
        [cardId, slice0] as const,
      )
      log(`round ${i + 1}: total ${t.total.toFixed(0)} ms, delivery ${t.delivery.toFixed(0)} ms`)
      total.push(t.total)
      delivery.push(t.delivery)
      mined.push(t.mined)
    }
    return [
      {
        name: 'buy_to_first_slice_ms',
        value: Math.round(percentile(total, 50)),
        unit: 'ms',
        baseline: 'buy_to_first_slice_target_ms',
      },
      { name: 'buy_to_first_slice_target_ms', value: TARGET_MS, unit: 'ms' },
      { name: 'key_delivery_ms', value: Math.round(percentile(delivery, 50)), unit: 'ms' },
      { name: 'buy_mined_ms', value: Math.round(percentile(mined, 50)), unit: 'ms' },
    ]
  } finally {
    await browser.close()
    await stack.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}
