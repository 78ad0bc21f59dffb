import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, test as base, Page } from '@playwright/test'
import { type Stack, startStack } from '../scripts/stack.ts'
import type { NodeStatus } from '../src/shared/protocol/methods/node.ts'

const appDir = join(import.meta.dirname, '..', 'dist')

/**
 * A fresh chain, relay and app on free ports for the test file that calls it, torn down after
 * the file. `npm test` builds the app first; the fixture serves that build.
 *
 * @example
 * const stack = useStack(test)
 * test('…', async ({ browser }) => { const [a, b] = await openNodes(browser, stack(), 2) })
 */
export function useStack(
  test: typeof base,
  opts: { blockTime?: number; restartableChain?: boolean } = {},
): () => Stack {
  let stack: Stack | undefined
  let dataDir: string | undefined
  test.beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hashcard-e2e-'))
    stack = await startStack({
      dataDir,
      appDir,
      blockTime: opts.blockTime ?? 0,
      ...(opts.restartableChain ? { restartableChain: true } : {}),
      relayStderr: process.env.DEBUG ? 'inherit' : 'ignore',
    })
  })
  test.afterAll(async ({ browser }) => {
    // The file's tabs, if its tests left them open: each runs a node (and may play media)
    // until closed, and every later test would start a trace on it. Before the relay stops,
    // so they do not spend the rest of the run redialling it.
    await Promise.all(browser.contexts().map((c) => c.close()))
    await stack?.stop()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })
  return () => {
    if (!stack) throw new Error('the stack is not started (useStack must be called at file level)')
    return stack
  }
}

export type NodePage = { context: BrowserContext; page: Page }

/**
 * Opens `n` browser contexts (separate profiles, separate nodes) on the app at `path`; `setup`
 * runs on each context before its first page (init scripts, bindings).
 */
export async function openNodes(
  browser: Browser,
  stack: Stack,
  n: number,
  path = '/node',
  setup?: (context: BrowserContext, i: number) => Promise<void>,
): Promise<NodePage[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const context = await browser.newContext({ baseURL: stack.relay.url })
      await setup?.(context, i)
      const debug = process.env.DEBUG
      if (debug) {
        // DEBUG=hashcard:* (or libp2p:…) turns on the node's namespaced logs in every tab.
        await context.addInitScript((spec) => localStorage.setItem('debug', spec), debug)
        context.on('console', (m) => console.log(`[tab ${i}] ${m.text()}`))
      }
      const page = await context.newPage()
      page.on('pageerror', (err) => console.error(`[tab ${i} error]`, err.message))
      await page.goto(path)
      return { context, page }
    }),
  )
}

/**
 * Calls the node through the page's RPC client (the one the UI uses). A failure rejects with
 * an Error named as the node's error, its message prefixed with the method.
 */
export async function rpc<T = unknown>(page: Page, method: string, params?: unknown): Promise<T> {
  const reply = await page.evaluate(
    async ([m, p]) => {
      const { node } = (
        globalThis as unknown as {
          hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<unknown> } | null } }
        }
      ).hashcard
      if (!node.rpc) return { name: 'NoNode', message: 'the node is not running in this tab' }
      try {
        return { ok: await node.rpc.call(m as string, p) }
      } catch (err) {
        return { name: (err as Error).name, message: (err as Error).message }
      }
    },
    [method, params] as const,
  )
  if ('ok' in reply) return reply.ok as T
  throw Object.assign(new Error(`${method}: ${reply.name}: ${reply.message}`), { name: reply.name })
}

/** In-app navigation: the node keeps running (a reload would restart it). */
export async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => {
    history.pushState(null, '', p)
    dispatchEvent(new PopStateEvent('popstate'))
  }, path)
}

/** The node's status as the page sees it (through the same RPC the UI uses). */
export function nodeStatus(page: Page): Promise<NodeStatus> {
  return rpc<NodeStatus>(page, 'node.status')
}

/** Polls until `predicate` holds for the node's status; returns that status. */
export async function waitForStatus(
  page: Page,
  predicate: (s: NodeStatus) => boolean,
  { timeout = 30_000, what = 'node status' } = {},
): Promise<NodeStatus> {
  const deadline = Date.now() + timeout
  let last: NodeStatus | undefined
  while (Date.now() < deadline) {
    last = await nodeStatus(page).catch(() => undefined)
    if (last && predicate(last)) return last
    await page.waitForTimeout(200)
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`)
}

/**
 * Waits until the page's Service Worker controls it (skipWaiting + clients.claim), so the
 * worker serves `/c/<id>`, sites and the app shell it precached. Checked in the page until
 * then, across navigations.
 */
export async function swControlled(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout })
}

/** SHA-256 (hex) of the whole plaintext of `/c/<id>`, read through the page's Service Worker. */
export function shaThroughSw(page: Page, id: string): Promise<string> {
  return page.evaluate(async (id) => {
    const buf = await (await fetch(`/c/${id}`)).arrayBuffer()
    const h = new Uint8Array(await crypto.subtle.digest('SHA-256', buf))
    return Array.from(h, (x) => x.toString(16).padStart(2, '0')).join('')
  }, id)
}
