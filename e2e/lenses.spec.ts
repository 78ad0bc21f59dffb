/**
 * Issue #18: a layout per lens and a viewer per kind. A publishes posts, pictures, videos,
 * tracks, a text, a PDF and an app; B (another profile, its own node, content over WebRTC)
 * sees each lens in its own layout with cards of its kind only, opens a picture full size in
 * the image viewer (zoom, next, Esc), plays a video on the watch page and moves on with "up
 * next" (and by autoplay), keeps a track playing in the mini-player while it moves around,
 * reads the text and the PDF, and gets the app. Each layout is screenshot at 390 and 1280 px
 * (test artifacts) with no horizontal overflow.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, type Page, type TestInfo, test } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { strToU8, zipSync } from 'fflate'
import type { FeedCard } from '../src/shared/card/feed.ts'
import { onePagePdf } from './media.ts'
import { cardIn, person, publishFile, publishUi } from './people.ts'
import { go, type NodePage, openNodes, rpc, useStack } from './stack.ts'

const stack = useStack(test)
test.describe.configure({ mode: 'serial' })
test.setTimeout(120_000)
const mnemonic = (b: number) => entropyToMnemonic(new Uint8Array(16).fill(b), wordlist)

let dir: string
let a: NodePage
let b: NodePage
/** Card ids by what they are. */
const ids: Record<string, `0x${string}`> = {}
const TEXT = 'Chapter one.\n\nIt was a bright cold day, and the slices were arriving in order.'

test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hashcard-lenses-'))
  const ff = (args: string[]) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args])
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=640x480', '-frames:v', '1', join(dir, 'big.png')])
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', join(dir, 'small.png')])
  for (const [name, size] of [
    ['one.mp4', '320x240'],
    ['two.mp4', '256x144'],
  ] as const)
    ff([
      ...['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=15`, '-t', '2'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', join(dir, name)],
    ])
  for (const [name, hz] of [
    ['one.m4a', 440],
    ['two.m4a', 660],
  ] as const)
    ff(['-f', 'lavfi', '-i', `sine=frequency=${hz}`, '-t', '4', '-c:a', 'aac', join(dir, name)])
})
test.afterAll(async () => {
  await Promise.all([a?.context.close(), b?.context.close()])
  rmSync(dir, { recursive: true, force: true })
})

const file = (name: string) => readFileSync(join(dir, name))

/** Publishes a card without a file (a post, or a reply when `parent` is set). */
async function post(page: Page, title: string, text: string, parent?: string) {
  const r = await rpc<{ cardId: `0x${string}` }>(page, 'feed.publish', {
    jobId: crypto.randomUUID(),
    draft: { kind: 'post', title, text, tags: [], access: { free: true }, parent },
  })
  return r.cardId
}

/** The top-level cards a lens shows (not the replies in a post's thread). */
const lensCards = (page: Page) =>
  page.locator('[data-testid="lens-scroll"] > .row > [data-testid="card"]')

/**
 * Screenshots the page at 390 and 1280 px wide (saved as test artifacts) and checks that
 * nothing overflows sideways at either width.
 */
async function shoot(page: Page, info: TestInfo, name: string): Promise<void> {
  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    await page.setViewportSize({ width, height })
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 200))))
    const overflow = await page.evaluate(() => ({
      scroll: document.scrollingElement?.scrollWidth ?? 0,
      inner: innerWidth,
      // What sticks out, to say in the failure.
      wide: [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`),
    }))
    expect(
      overflow.scroll,
      `${name} at ${width} px overflows sideways: ${overflow.wide.join(', ')}`,
    ).toBeLessThanOrEqual(overflow.inner)
    // A file in the test's output folder (kept after the run), attached to the report too.
    const path = info.outputPath(`${name}-${width}.png`)
    await page.screenshot({ path })
    await info.attach(`${name}-${width}.png`, { path, contentType: 'image/png' })
  }
}

/** Opens a lens in B and checks its layout holds the given cards, and only cards of `kinds`. */
async function lens(page: Page, name: string, kinds: string[], want: string[]) {
  await go(page, `/feed/${name}`)
  await expect(page.locator(`[data-testid="lens-scroll"][data-layout="${name}"]`)).toBeVisible()
  for (const id of want) await expect(cardIn(page, id)).toBeVisible({ timeout: 20_000 })
  const shown = await lensCards(page).evaluateAll((els) =>
    els.map((e) => (e as HTMLElement).dataset.kind),
  )
  expect(shown.length).toBeGreaterThanOrEqual(want.length)
  for (const k of shown) expect(kinds).toContain(k)
}

test('A publishes one of each kind; B indexes them all', async ({ browser }) => {
  ;[a, b] = (await openNodes(browser, stack(), 2, '/node')) as [NodePage, NodePage]
  await Promise.all([person(a.page, mnemonic(0x71)), person(b.page, mnemonic(0x72))])
  await a.page.goto('/feed')
  // Through the compose view, so the picture has its real preview in the grid.
  ids.photo1 = (await publishUi(a.page, {
    title: 'Test pattern, large',
    text: 'Colour bars at 640 by 480',
    file: ['big.png', 'image/png', file('big.png')],
  })) as `0x${string}`
  ids.photo2 = await publishFile(a.page, 'small.png', 'image/png', file('small.png'), {
    kind: 'image',
    title: 'Test pattern, small',
  })
  ids.video1 = await publishFile(a.page, 'one.mp4', 'video/mp4', file('one.mp4'), {
    kind: 'video',
    title: 'First clip',
    text: 'Two seconds of colour bars.',
  })
  ids.video2 = await publishFile(a.page, 'two.mp4', 'video/mp4', file('two.mp4'), {
    kind: 'video',
    title: 'Second clip',
  })
  ids.track1 = await publishFile(a.page, 'one.m4a', 'audio/mp4', file('one.m4a'), {
    kind: 'audio',
    title: 'A in 440',
  })
  ids.track2 = await publishFile(a.page, 'two.m4a', 'audio/mp4', file('two.m4a'), {
    kind: 'audio',
    title: 'E in 660',
  })
  ids.text = await publishFile(a.page, 'story.txt', 'text/plain', Buffer.from(TEXT), {
    kind: 'doc',
    title: 'A short story',
  })
  ids.pdf = await publishFile(a.page, 'paper.pdf', 'application/pdf', onePagePdf('Cheques'), {
    kind: 'doc',
    title: 'A paper',
  })
  const zip = zipSync({ 'app/README.md': strToU8('# Tiny app\n'), 'app/main.js': strToU8('1\n') })
  ids.app = await publishFile(a.page, 'app.zip', 'application/zip', Buffer.from(zip), {
    kind: 'software',
    title: 'Tiny app',
  })
  ids.post = await post(a.page, 'Morning', 'Slices arrive in order today.')
  ids.reply = await post(b.page, 'Reply', 'Mine too, and verified.', ids.post)

  for (const id of Object.values(ids))
    await expect
      .poll(() => rpc<FeedCard | null>(b.page, 'feed.card', { id }), { timeout: 60_000 })
      .not.toBeNull()
  await b.page.goto('/feed')
})

test('Posts is a timeline with replies threaded under their post', async () => {
  const info = test.info()
  await lens(b.page, 'posts', ['post'], [ids.post!])
  const thread = cardIn(b.page, ids.post!).getByTestId('thread')
  await expect(thread.locator(`[data-card-id="${ids.reply}"]`)).toContainText('Mine too', {
    timeout: 20_000,
  })
  // The reply is in the thread, not a card of its own in the timeline.
  await expect(lensCards(b.page).and(b.page.locator(`[data-card-id="${ids.reply}"]`))).toHaveCount(
    0,
  )
  await shoot(b.page, info, 'posts')
})

test('Photos is a square grid; the viewer shows a picture full size, zooms, steps and closes', async () => {
  const info = test.info()
  await lens(b.page, 'photos', ['image'], [ids.photo1!, ids.photo2!])
  const cell = cardIn(b.page, ids.photo1!)
  const box = await cell.boundingBox()
  expect(box && Math.abs(box.width - box.height)).toBeLessThan(2)
  await expect(cell.locator('img.preview')).toBeVisible({ timeout: 30_000 })
  await shoot(b.page, info, 'photos')

  await cell.locator('a').click()
  await expect(b.page).toHaveURL(new RegExp(`/photo/${ids.photo1}$`))
  const img = b.page.getByTestId('viewer-image')
  await expect
    .poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth), { timeout: 60_000 })
    .toBe(640)
  await expect(img).toHaveAttribute('alt', 'Colour bars at 640 by 480')
  await expect(b.page.getByTestId('viewer-caption')).toContainText('Test pattern, large')
  // Full size: one picture pixel per CSS pixel.
  await b.page.getByTestId('viewer-zoom').click()
  await expect(b.page.getByTestId('viewer-zoom')).toHaveText('100 %')
  await expect
    .poll(() => img.evaluate((i: HTMLImageElement) => i.getBoundingClientRect().width))
    .toBe(640)
  await b.page.getByTestId('viewer-zoom-in').click()
  await expect
    .poll(() => img.evaluate((i: HTMLImageElement) => i.getBoundingClientRect().width))
    .toBe(960)
  await shoot(b.page, info, 'photo-viewer')

  // Next with the arrow key, previous with the button; Esc goes back to the grid.
  await b.page.keyboard.press('ArrowRight')
  await expect(b.page).toHaveURL(new RegExp(`/photo/${ids.photo2}$`))
  await expect
    .poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth), { timeout: 60_000 })
    .toBe(320)
  await b.page.getByTestId('viewer-prev').click()
  await expect(b.page).toHaveURL(new RegExp(`/photo/${ids.photo1}$`))
  await b.page.keyboard.press('Escape')
  await expect(b.page).toHaveURL(/\/feed\/photos$/)

  // From the card view, the picture opens in the viewer, not the video player.
  await go(b.page, `/card/${ids.photo2}`)
  await expect(b.page.getByTestId('play')).toHaveText('View', { timeout: 30_000 })
  await b.page.getByTestId('play').click()
  await expect(b.page).toHaveURL(new RegExp(`/photo/${ids.photo2}$`))
  await expect(b.page.locator('video')).toHaveCount(0)
  await b.page.getByTestId('viewer-close').click()
})

/** Waits until the watch page's video has played past `t` seconds. */
const playing = (page: Page, t = 0.3) =>
  page.waitForFunction(
    (t) => {
      const v = document.querySelector<HTMLVideoElement>('video[data-testid="player"]')
      return !!v && v.error === null && v.currentTime > t
    },
    t,
    { timeout: 60_000 },
  )

test('Watch has poster rows; the watch page plays, and up next moves on', async () => {
  const info = test.info()
  await lens(b.page, 'watch', ['video'], [ids.video1!, ids.video2!])
  await shoot(b.page, info, 'watch')
  // The newest first: the second clip, then the first.
  await cardIn(b.page, ids.video2!).getByTestId('card-title').click()
  await expect(b.page).toHaveURL(new RegExp(`/watch/${ids.video2}$`))
  await expect(b.page.getByTestId('watch-title')).toHaveText('Second clip')
  await playing(b.page)
  await expect(b.page.getByTestId('up-next-box')).toHaveAttribute('data-card-id', ids.video1!)

  await b.page.getByTestId('up-next').click()
  await expect(b.page).toHaveURL(new RegExp(`/watch/${ids.video1}$`))
  await expect(b.page.getByTestId('watch-title')).toHaveText('First clip')
  await expect(b.page.getByTestId('watch-description')).toHaveText('Two seconds of colour bars.')
  await expect(b.page.getByTestId('watch-creator')).toHaveAttribute('href', /\/profile\/0x/)
  await playing(b.page)
  // Autoplay: when the two seconds end, the next one starts by itself.
  await expect(b.page).toHaveURL(new RegExp(`/watch/${ids.video2}$`), { timeout: 30_000 })
  await playing(b.page)
  await b.page.getByTestId('autoplay').uncheck()
  await shoot(b.page, info, 'watch-page')
  // Back returns to the lens the video was opened from.
  await b.page.getByTestId('back').click()
  await expect(b.page).toHaveURL(/\/feed\/watch$/)
})

test('Listen is a track list; the mini-player keeps playing across the app', async () => {
  const info = test.info()
  await lens(b.page, 'listen', ['audio'], [ids.track1!, ids.track2!])
  await cardIn(b.page, ids.track1!).getByTestId('listen-play').click()
  const mini = b.page.getByTestId('mini-player')
  await expect(mini).toHaveAttribute('data-card-id', ids.track1!)
  const time = () =>
    b.page.evaluate(
      () =>
        document.querySelector<HTMLAudioElement>('[data-testid="mini-audio"]')?.currentTime ?? 0,
    )
  await expect.poll(time, { timeout: 60_000 }).toBeGreaterThan(0.3)
  await shoot(b.page, info, 'listen')
  const before = await time()
  // Elsewhere in the app: same element, still playing, further along.
  await go(b.page, '/feed/posts')
  await expect(mini).toBeVisible()
  await expect.poll(time).toBeGreaterThan(before + 0.3)
  await b.page.getByTestId('mini-close').click()
  await expect(mini).toHaveCount(0)
})

test('Read lists articles; the reader shows text and draws a PDF', async () => {
  const info = test.info()
  await lens(b.page, 'read', ['doc'], [ids.text!, ids.pdf!])
  await shoot(b.page, info, 'read')
  await cardIn(b.page, ids.text!).getByTestId('card-title').click()
  await expect(b.page).toHaveURL(new RegExp(`/read/${ids.text}$`))
  await expect(b.page.getByTestId('reader-text')).toHaveText(TEXT, { timeout: 60_000 })
  await shoot(b.page, info, 'reader-text')
  await b.page.getByTestId('back').click()
  await expect(b.page).toHaveURL(/\/feed\/read$/)

  await cardIn(b.page, ids.pdf!).getByTestId('card-title').click()
  await expect(b.page.getByTestId('reader-pdf')).toHaveAttribute('data-pages', '1', {
    timeout: 60_000,
  })
  const page1 = b.page.locator('[data-testid="pdf-page"][data-page="1"]')
  await expect(page1).toHaveAttribute('data-rendered', '1', { timeout: 30_000 })
  // Drawn, not blank: some pixel of the page is dark (its text).
  expect(
    await page1.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 100) return true
      return false
    }),
  ).toBe(true)
  await shoot(b.page, info, 'reader-pdf')
})

test('Apps is a store grid whose button gets the app; All mixes every kind', async () => {
  const info = test.info()
  await lens(b.page, 'apps', ['software', 'site'], [ids.app!])
  await shoot(b.page, info, 'apps')
  const get = cardIn(b.page, ids.app!).getByTestId('app-open')
  await expect(get).toHaveText('Get')
  await get.click()
  await expect(b.page).toHaveURL(new RegExp(`/play/${ids.app}$`))
  await expect(b.page.getByTestId('player-download')).toBeVisible({ timeout: 60_000 })

  // Tall enough for every card at once: the list is virtualised, and the post, in whatever
  // place the cards' order gives it, may be below a 800 px screen's rows (shoot resizes after).
  await b.page.setViewportSize({ width: 1280, height: 2400 })
  await go(b.page, '/feed')
  await expect(b.page.locator('[data-testid="lens-scroll"][data-layout="mixed"]')).toBeVisible()
  await expect(cardIn(b.page, ids.post!)).toBeVisible({ timeout: 20_000 })
  const kinds = await lensCards(b.page).evaluateAll((els) =>
    els.map((e) => (e as HTMLElement).dataset.kind),
  )
  expect(new Set(kinds).size).toBeGreaterThanOrEqual(3)
  await shoot(b.page, info, 'all')
})
