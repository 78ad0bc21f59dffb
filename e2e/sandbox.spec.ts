/**
 * Issue #14: content never runs as the app. A publishes free cards whose content is hostile
 * (HTML with a script, SVG with a script, XHTML, a JavaScript file, a text file that sniffs as
 * HTML) and harmless (a video, a PNG, a text file). B opens each through the app's player and
 * at `/c/<cardId>` in a new tab of its own profile (so its Service Worker answers, with its
 * node and identity a tab away). No dialog opens anywhere; every response is sandboxed
 * (CSP `sandbox`, nosniff, CORP same-origin); documents and code come only as downloads of
 * bytes; a probe in each tab that shows content finds that it cannot open B's IndexedDB; and
 * B's identity is intact afterwards. The harmless cards still play and show.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, expect, type Page, test } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import type { FeedCard } from '../src/shared/card/feed.ts'
import { person, publishFile } from './people.ts'
import { go, openNodes, rpc, swControlled, useStack } from './stack.ts'

const stack = useStack(test)
test.setTimeout(300_000)
const mnemonic = (b: number) => entropyToMnemonic(new Uint8Array(16).fill(b), wordlist)

/** Every script below tries to be seen: a dialog, a title, a read of the identity store. */
const SCRIPT = `alert('pwned'); document.title = 'pwned'; indexedDB.open('hashcard-identity')`
const HOSTILE: { name: string; mime: string; body: string }[] = [
  {
    name: 'page.html',
    mime: 'text/html',
    body: `<!doctype html><title>hi</title><script>${SCRIPT}</script><p>hello`,
  },
  {
    name: 'pic.svg',
    mime: 'image/svg+xml',
    body: `<svg xmlns="http://www.w3.org/2000/svg" onload="${SCRIPT.replaceAll("'", '&apos;')}"><script>${SCRIPT}</script><rect width="10" height="10"/></svg>`,
  },
  {
    name: 'page.xhtml',
    mime: 'application/xhtml+xml',
    body: `<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body><script>${SCRIPT}</script></body></html>`,
  },
  { name: 'app.js', mime: 'text/javascript', body: SCRIPT },
  {
    name: 'notes.txt',
    mime: 'text/plain',
    body: `<html><body><script>${SCRIPT}</script><p>sniff me</p></body></html>`,
  },
]

let media: { dir: string; mp4: Buffer; png: Buffer }
test.beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'hashcard-sandbox-'))
  const ff = (args: string[]) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args])
  // biome-ignore format: one ffmpeg command
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', join(dir, 'v.mp4')])
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=64x48', '-frames:v', '1', join(dir, 'a.png')])
  media = { dir, mp4: readFileSync(join(dir, 'v.mp4')), png: readFileSync(join(dir, 'a.png')) }
})
test.afterAll(() => rmSync(media.dir, { recursive: true, force: true }))

/** `/c/<cardId>` fetched through B's Service Worker: status and the headers that matter. */
async function headersOf(page: Page, id: string) {
  return page.evaluate(async (id) => {
    const r = await fetch(`/c/${id}`)
    await r.body?.cancel()
    const h = (k: string) => r.headers.get(k)
    return {
      status: r.status,
      type: h('content-type'),
      disposition: h('content-disposition'),
      csp: h('content-security-policy'),
      nosniff: h('x-content-type-options'),
      corp: h('cross-origin-resource-policy'),
    }
  }, id)
}

/** What a tab showing content can reach: the identity's IndexedDB, or an error saying why not. */
function probe(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        try {
          const req = indexedDB.open('hashcard-identity')
          req.onsuccess = () => resolve('opened')
          req.onerror = () => resolve(`refused: ${req.error?.name}`)
        } catch (err) {
          resolve(`refused: ${(err as Error).name}`)
        }
      }),
  )
}

/** Fails the test on any dialog in any tab of the context. */
function noDialogs(context: BrowserContext, seen: string[]) {
  const watch = (p: Page) =>
    p.on('dialog', (d) => {
      seen.push(`${p.url()}: ${d.message()}`)
      void d.dismiss()
    })
  for (const p of context.pages()) watch(p)
  context.on('page', watch)
}

test('content from the swarm never runs as the app', async ({ browser }) => {
  const [a, b] = await openNodes(browser, stack(), 2)
  const dialogs: string[] = []
  noDialogs(b!.context, dialogs)
  noDialogs(a!.context, dialogs)
  await Promise.all([person(a!.page, mnemonic(0x61)), person(b!.page, mnemonic(0x62))])
  await swControlled(b!.page)
  const before = await rpc<{ state: string; address?: string }>(b!.page, 'identity.state')
  expect(before.state).toBe('ready')

  const hostile: { id: string; name: string; mime: string; body: string }[] = []
  for (const h of HOSTILE)
    hostile.push({ ...h, id: await publishFile(a!.page, h.name, h.mime, Buffer.from(h.body)) })
  const video = await publishFile(a!.page, 'v.mp4', 'video/mp4', media.mp4)
  const image = await publishFile(a!.page, 'a.png', 'image/png', media.png)
  const text = await publishFile(a!.page, 'hello.txt', 'text/plain', Buffer.from('just text'))

  for (const id of [...hostile.map((h) => h.id), video, image, text])
    await expect
      .poll(() => rpc<FeedCard | null>(b!.page, 'feed.card', { id }), { timeout: 60_000 })
      .not.toBeNull()

  for (const h of hostile) {
    // Through the app: the file page offers it as a download; a text opens in the reader.
    await go(b!.page, `/play/${h.id}`)
    const shown = h.mime === 'text/plain' ? 'reader-text' : 'player-download'
    await expect(b!.page.getByTestId(shown)).toBeVisible({ timeout: 60_000 })
    if (h.mime === 'text/plain')
      await expect(b!.page.getByTestId('reader-text')).toHaveText(h.body, { timeout: 60_000 })

    // Every response is sandboxed; documents and code are bytes to save, never a page.
    const got = await headersOf(b!.page, h.id)
    expect(got).toMatchObject({
      status: 200,
      csp: 'sandbox',
      nosniff: 'nosniff',
      corp: 'same-origin',
    })
    if (h.mime === 'text/plain') {
      expect(got.type).toBe('text/plain; charset=utf-8')
      expect(got.disposition).toBeNull()
    } else {
      expect(got.type).toBe('application/octet-stream')
      expect(got.disposition).toMatch(new RegExp(`^attachment; filename="${h.name}"`))
    }

    // Straight to /c/<cardId> in a new tab of B's profile.
    const tab = await b!.context.newPage()
    if (h.mime === 'text/plain') {
      await tab.goto(`/c/${h.id}`)
      // Shown as text (nosniff), in an opaque origin (the sandbox): no script, no storage.
      await expect(tab.locator('body')).toContainText('<script>')
      expect(await tab.title()).not.toBe('pwned')
      expect(await probe(tab)).toMatch(/^refused: SecurityError/)
    } else {
      const download = tab.waitForEvent('download')
      await tab.goto(`/c/${h.id}`).catch(() => {}) // a download aborts the navigation
      const file = await download
      expect(file.suggestedFilename()).toBe(h.name)
      expect(readFileSync(await file.path()).toString()).toBe(h.body)
      expect(await tab.title()).not.toBe('pwned')
    }
    await tab.close()
  }

  // The harmless cards still play and show, inline, each in its viewer.
  await go(b!.page, `/play/${video}`)
  await b!.page.waitForFunction(
    () => {
      const v = document.querySelector<HTMLVideoElement>('video[data-testid="player"]')
      return !!v && v.error === null && v.currentTime > 0.3
    },
    null,
    { timeout: 60_000 },
  )
  await go(b!.page, `/play/${image}`)
  await b!.page.waitForFunction(
    () =>
      (document.querySelector<HTMLImageElement>('img[data-testid="viewer-image"]')?.naturalWidth ??
        0) === 64,
    null,
    { timeout: 60_000 },
  )
  expect(await headersOf(b!.page, image)).toMatchObject({ type: 'image/png', disposition: null })
  await go(b!.page, `/play/${text}`)
  await expect(b!.page.getByTestId('reader-text')).toHaveText('just text', { timeout: 60_000 })
  const imageTab = await b!.context.newPage()
  await imageTab.goto(`/c/${image}`)
  expect(await probe(imageTab)).toMatch(/^refused: SecurityError/)
  await imageTab.close()

  // No script ran anywhere, and B's identity is as it was, after a reload too.
  expect(dialogs).toEqual([])
  expect(await rpc(b!.page, 'identity.state')).toEqual(before)
  await b!.page.reload()
  await expect
    .poll(() => rpc(b!.page, 'identity.state').catch(() => null), { timeout: 30_000 })
    .toEqual(before)
  await Promise.all([a!.context.close(), b!.context.close()])
})
