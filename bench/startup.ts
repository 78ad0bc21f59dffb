/**
 * `npm run bench -- startup`: how long the local network takes to come up.
 * - chain_ready_ms: spawning anvil until its RPC answers, plus compiling (cached) and deploying
 *   the contracts — what `npm start` waits for before the relay can serve a config.
 * - relay_ready_ms: spawning the relay process until it printed its ready line.
 * - tab_to_peer_ms: a tab's page load until its node holds a direct WebRTC connection to a
 *   tab that is already online (median of several tabs).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumLaunchOptions } from '../e2e/browser.ts'
import { ensureAppBuilt } from '../scripts/build-app.ts'
import { startAnvil } from '../scripts/chain/anvil.ts'
import { deployContracts } from '../scripts/chain/deploy.ts'
import { startStack } from '../scripts/stack.ts'
import { type BenchRow, percentile } from './lib.ts'

const RUNS = 3
const TABS = 5

export async function run({ log }: { signal: AbortSignal; log: (m: string) => void }) {
  const appDir = await ensureAppBuilt(log)
  const chainTimes: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    const anvil = await startAnvil()
    await deployContracts({ rpcUrl: anvil.rpcUrl })
    chainTimes.push(performance.now() - t0)
    await anvil.stop()
  }
  log(`chain: ${chainTimes.map((t) => t.toFixed(0)).join(', ')} ms`)

  const dataDir = await mkdtemp(join(tmpdir(), 'hashcard-bench-'))
  const stack = await startStack({ dataDir, appDir, relayStderr: 'ignore' })
  const relayTimes: number[] = []
  const peerTimes: number[] = []
  const browser = await chromium.launch(chromiumLaunchOptions())
  try {
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now()
      await stack.restartRelay()
      relayTimes.push(performance.now() - t0)
    }
    log(`relay: ${relayTimes.map((t) => t.toFixed(0)).join(', ')} ms`)

    const first = await browser.newContext({ baseURL: stack.relay.url })
    await (await first.newPage()).goto('/node')
    for (let i = 0; i < TABS; i++) {
      const context = await browser.newContext({ baseURL: stack.relay.url })
      const page = await context.newPage()
      await page.goto('/node')
      const at = await page.waitForFunction(
        () =>
          (globalThis as unknown as { hashcard: { node: { firstDirectPeerAt: number | null } } })
            .hashcard.node.firstDirectPeerAt,
        undefined,
        { timeout: 60_000, polling: 50 },
      )
      peerTimes.push(Number(await at.jsonValue()))
      await context.close()
    }
    log(`tab to peer: ${peerTimes.map((t) => t.toFixed(0)).join(', ')} ms`)
  } finally {
    await browser.close()
    await stack.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
  const rows: BenchRow[] = [
    { name: 'chain_ready_ms', value: Math.round(percentile(chainTimes, 50)), unit: 'ms' },
    { name: 'relay_ready_ms', value: Math.round(percentile(relayTimes, 50)), unit: 'ms' },
    { name: 'tab_to_peer_ms', value: Math.round(percentile(peerTimes, 50)), unit: 'ms' },
  ]
  return rows
}
