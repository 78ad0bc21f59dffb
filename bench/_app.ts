/**
 * What the benchmarks that drive app tabs share (`stream.ts`, `_payWire.ts`, `node.ts`): a fresh chain,
 * relay and tracker with the built app, browsers on on-disk profiles (bench/_stream.ts
 * `appPage` says why), faucet funds and a relay reservation for a tab, and polling.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { type Stack, startStack } from '../scripts/stack.ts'
import type { NodeStatus } from '../src/shared/protocol/methods/node.ts'
import { CHROMIUM_ARGS } from './_browser/runInChromium.ts'
import { rpc } from './_stream.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

export type BenchStack = {
  stack: Stack
  dataDir: string
  /**
   * A new browser on a new on-disk profile, and that profile's context. `bypassCSP` is for a
   * publisher that reads its files from the bench's static server, an origin the app's
   * connect-src (narrowed by the relay to its own origins) does not admit.
   */
  launch(o?: { bypassCSP?: boolean }): Promise<[Browser, BrowserContext]>
}

/**
 * Starts the stack for one benchmark (`BENCH_APP_DIR` serves another build of the app).
 * @example const { stack, launch } = await benchStack('pay', log)
 */
export async function benchStack(
  name: string,
  log: (m: string) => void,
  o: { args?: string[] } = {},
): Promise<BenchStack> {
  const dataDir = await mkdtemp(join(tmpdir(), `hashcard-bench-${name}-`))
  log('starting chain, relay and tracker')
  const stack = await startStack({
    dataDir,
    appDir: process.env.BENCH_APP_DIR ?? join(root, 'dist'),
    blockTime: 0,
    relayStderr: 'ignore',
  })
  const launch = async (l: { bypassCSP?: boolean } = {}): Promise<[Browser, BrowserContext]> => {
    const profile = await chromium.launchPersistentContext(
      await mkdtemp(join(dataDir, 'profile-')),
      {
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: [...CHROMIUM_ARGS, ...(o.args ?? [])],
        ...(l.bypassCSP ? { bypassCSP: true } : {}),
      },
    )
    const browser = profile.browser()
    if (!browser) throw new Error('a persistent context without its browser')
    return [browser, profile]
  }
  return { stack, dataDir, launch }
}

/** Funds a tab's account from the relay's faucet and waits for its relay reservation. */
export async function fundTab(stack: Stack, page: Page): Promise<void> {
  const { address } = await rpc<{ address: string }>(page, 'feed.account')
  const res = await fetch(new URL('/faucet', stack.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ address }),
  })
  if (!res.ok) throw new Error(`faucet: HTTP ${res.status}`)
  await until(
    'funds',
    async () => BigInt((await rpc<{ balance: string }>(page, 'feed.account')).balance) > 0n,
  )
  await until('a relay reservation', async () => {
    const s = await rpc<NodeStatus>(page, 'node.status')
    return s.relay.state === 'connected' && !!s.relay.reservation
  })
}

/** Polls `check` every `every` ms until it holds; throws naming `what` after `timeout`. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeout = 60_000,
  every = 250,
): Promise<void> {
  const deadline = performance.now() + timeout
  while (!(await check().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, every))
  }
}
