/**
 * The manifest's screenshots (public/screenshots/), taken from the built app on a local stack
 * with a populated feed: one person publishes a few cards through the compose view, a second
 * sees them in the feed, which is shot at the narrow (390×844) and wide (1280×800) form
 * factors. Run after `npm run build`: `npm run screenshots`, then commit the two WebP files.
 * Chromium encodes the WebP (canvas `toBlob`), so no image library is needed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Page } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { chromiumLaunchOptions } from '../e2e/browser.ts'
import { cardIn, person, publishUi } from '../e2e/people.ts'
import { answerSpend } from '../e2e/spend.ts'
import { go, waitForStatus } from '../e2e/stack.ts'
import { startStack } from './stack.ts'

const root = join(import.meta.dirname, '..')
const out = join(root, 'public', 'screenshots')
const mnemonic = (b: number) => entropyToMnemonic(new Uint8Array(16).fill(b), wordlist)

/** A 960×640 PNG painted in the page: a sky, a sea and a sun, in the card's colours. */
function painting(page: Page, hue: number): Promise<Buffer> {
  return page
    .evaluate(async (hue) => {
      const c = new OffscreenCanvas(960, 640)
      const g = c.getContext('2d') as OffscreenCanvasRenderingContext2D
      const sky = g.createLinearGradient(0, 0, 0, 400)
      sky.addColorStop(0, `hsl(${hue} 70% 30%)`)
      sky.addColorStop(1, `hsl(${hue + 40} 80% 70%)`)
      g.fillStyle = sky
      g.fillRect(0, 0, 960, 400)
      g.fillStyle = `hsl(${hue + 60} 90% 75%)`
      g.beginPath()
      g.arc(640, 330, 90, 0, Math.PI * 2)
      g.fill()
      g.fillStyle = `hsl(${hue + 180} 50% 25%)`
      g.fillRect(0, 400, 960, 240)
      const blob = await c.convertToBlob({ type: 'image/png' })
      return btoa(String.fromCharCode(...new Uint8Array(await blob.arrayBuffer())))
    }, hue)
    .then((b64) => Buffer.from(b64, 'base64'))
}

/** The page's viewport as WebP (Chromium's screenshot is PNG; its canvas encodes WebP). */
async function webp(page: Page, quality: number): Promise<Buffer> {
  const png = (await page.screenshot()).toString('base64')
  const b64 = await page.evaluate(
    async ([png, quality]) => {
      const bytes = Uint8Array.from(atob(png as string), (ch) => ch.charCodeAt(0))
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
      const c = new OffscreenCanvas(bitmap.width, bitmap.height)
      ;(c.getContext('2d') as OffscreenCanvasRenderingContext2D).drawImage(bitmap, 0, 0)
      const blob = await c.convertToBlob({ type: 'image/webp', quality: quality as number })
      const buf = new Uint8Array(await blob.arrayBuffer())
      let s = ''
      for (let i = 0; i < buf.length; i += 0x8000)
        s += String.fromCharCode(...buf.subarray(i, i + 0x8000))
      return btoa(s)
    },
    [png, quality] as const,
  )
  return Buffer.from(b64, 'base64')
}

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'hashcard-shots-'))
  const stack = await startStack({ dataDir, appDir: join(root, 'dist'), relayStderr: 'ignore' })
  const browser = await chromium.launch(chromiumLaunchOptions())
  try {
    const author = await browser.newContext({ baseURL: stack.relay.url })
    const a = await author.newPage()
    await a.goto('/node')
    const address = await person(a, mnemonic(0x80))
    // A reload: the page learns of the identity restored through the RPC.
    await a.goto(`/profile/${address}`)
    await a.getByTestId('edit-profile-open').click({ timeout: 30_000 })
    await a.getByTestId('edit-name').fill('Ada Lovelace')
    await a.getByTestId('edit-bio').fill('Photographs of harbours, and notes.')
    await a.getByTestId('edit-save').click()
    await answerSpend(a)
    await go(a, '/feed')
    const cards = [
      { title: 'Harbour at dusk', text: 'Boats coming home.', hue: 20, price: '0.01' },
      { title: 'Morning over the bay', text: 'Shot from the pier at six.', hue: 200 },
      { title: 'Notes from the first week', text: 'What I learned running a node in a tab.' },
    ]
    const ids: string[] = []
    for (const c of cards) {
      const file =
        c.hue === undefined
          ? undefined
          : ([`${c.title}.png`, 'image/png', await painting(a, c.hue)] as [string, string, Buffer])
      ids.push(await publishUi(a, { title: c.title, text: c.text, file, price: c.price }))
      await go(a, '/feed')
    }

    const reader = await browser.newContext({ baseURL: stack.relay.url })
    const b = await reader.newPage()
    await b.goto('/node')
    await person(b, mnemonic(0x81))
    // The author's tab is a peer, and seeds what it published.
    await waitForStatus(b, (st) => st.peers.length > 0, { timeout: 60_000 })
    for (const [name, width, height] of [
      ['narrow', 390, 844],
      ['wide', 1280, 800],
    ] as const) {
      await b.setViewportSize({ width, height })
      await b.goto('/feed')
      for (const id of ids) await cardIn(b, id).waitFor({ timeout: 60_000 })
      // The previews decoded and painted, the header's status settled.
      await b.waitForFunction(() =>
        [...document.images].every((img) => img.complete && img.naturalWidth > 0),
      )
      await b
        .getByText('No seeders seen')
        .first()
        .waitFor({ state: 'detached', timeout: 60_000 })
        .catch(() => console.warn('a card still has no seeders seen'))
      await b.waitForTimeout(2000)
      const bytes = await webp(b, 0.8)
      await writeFile(join(out, `feed-${name}.webp`), bytes)
      console.log(`public/screenshots/feed-${name}.webp: ${width}×${height}, ${bytes.length} bytes`)
    }
  } finally {
    await browser.close()
    await stack.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

await main()
