/**
 * UI components in real Chromium, for the `*.browser.test.ts` files under src/ui/: builds a
 * harness entry (a TypeScript file that mounts components over fake or in-page RPC) with Vite
 * and the Svelte plugin, serves it on a free port of 127.0.0.1, and opens it in a page.
 *
 * @example
 * const h = await openHarness(new URL('./_harness.ts', import.meta.url), ['dialog', 'app'])
 * await h.page.getByRole('button', { name: 'Play' }).click()
 * await h.close()
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { type BrowserContextOptions, chromium, type Page } from 'playwright-core'
import { build, type Rolldown } from 'vite'
import { CHROMIUM_ARGS } from '../../bench/_browser/runInChromium.ts'
import { chromiumLaunchOptions } from '../../e2e/browser.ts'

export type Harness = { page: Page; close(): Promise<void> }

/**
 * Builds `entry` and opens it in Chromium, on a page holding one empty `<div id>` per name of
 * `mounts` (where the harness mounts its components).
 */
export async function openHarness(
  entry: URL,
  mounts: readonly string[],
  context: BrowserContextOptions = {},
): Promise<Harness> {
  const out = (await build({
    configFile: false,
    logLevel: 'silent',
    plugins: [svelte()],
    build: {
      write: false,
      target: 'es2022',
      rollupOptions: { input: fileURLToPath(entry) },
    },
  })) as Rolldown.RolldownOutput
  const files = new Map<string, string | Uint8Array>()
  for (const o of out.output) files.set(`/${o.fileName}`, o.type === 'chunk' ? o.code : o.source)
  const js = out.output.find((o) => o.type === 'chunk' && o.isEntry)?.fileName
  if (!js) throw new Error(`no entry chunk built from ${entry}`)
  const css = [...files.keys()].filter((f) => f.endsWith('.css'))
  const html = `<!doctype html><meta charset="utf-8">${css.map((c) => `<link rel="stylesheet" href="${c}">`).join('')}${mounts.map((m) => `<div id="${m}"></div>`).join('')}<script type="module" src="/${js}"></script>`
  const server = createServer((req, res) => {
    const body = req.url === '/' ? html : files.get(req.url ?? '')
    if (body === undefined) return void res.writeHead(404).end()
    const type =
      req.url === '/' ? 'text/html' : req.url?.endsWith('.css') ? 'text/css' : 'text/javascript'
    res.writeHead(200, { 'Content-Type': type }).end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const browser = await chromium.launch({
    executablePath: chromiumLaunchOptions().executablePath,
    args: CHROMIUM_ARGS,
  })
  const close = async () => {
    await browser.close()
    server.close()
  }
  try {
    const page = await (await browser.newContext(context)).newPage()
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
    return { page, close }
  } catch (err) {
    await close()
    throw err
  }
}
