import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, type Page, test } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { strToU8, zipSync } from 'fflate'
import { rgbaToThumbHash } from 'thumbhash'
import { toHex } from 'viem'
import { encodeCard } from '../src/shared/card/card.ts'
import type { FeedCard } from '../src/shared/card/feed.ts'
import type { PreviewFileData, PreviewItem } from '../src/shared/protocol/methods/preview.ts'
import { onePagePdf } from './media.ts'
import { person, postRawCard, publishUi } from './people.ts'
import { go, openNodes, rpc, useStack, waitForStatus } from './stack.ts'

/**
 * The real preview (DESIGN §2 `previewInfoHash`): made in A's page, seeded as an unencrypted
 * torrent, fetched by B over WebRTC (the tracker in the relay), shown in place of the
 * placeholder, kept and seeded by B across a reload; oversized or mismatched torrents refused.
 */
const stack = useStack(test)
const MNEMONIC_A = entropyToMnemonic(new Uint8Array(16).fill(0xc3), wordlist)
const MNEMONIC_B = entropyToMnemonic(new Uint8Array(16).fill(0xd4), wordlist)

let media: { dir: string; png: Buffer; mp4: Buffer; zip: Buffer }
test.beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'hashcard-previews-'))
  const ff = (args: string[]) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args])
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=1600x1200', '-frames:v', '1', join(dir, 'a.png')])
  ff([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '6'],
    ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '25', '-movflags', '+faststart'],
    join(dir, 'a.mp4'),
  ])
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=800x600', '-frames:v', '1', join(dir, 'shot.png')])
  const zip = zipSync({
    'demo/README.md': strToU8('# Demo app\n\nIt does one thing well.'),
    'demo/docs/screenshot.png': [readFileSync(join(dir, 'shot.png')), { level: 0 }],
    'demo/main.js': strToU8('console.log("hi")\n'.repeat(500)),
  })
  media = {
    dir,
    png: readFileSync(join(dir, 'a.png')),
    mp4: readFileSync(join(dir, 'a.mp4')),
    zip: Buffer.from(zip),
  }
})
test.afterAll(() => rmSync(media.dir, { recursive: true, force: true }))

const media$ = (page: Page) => page.getByTestId('card-view').getByTestId('preview-media')
const cardOf = (page: Page, id: string) => rpc<FeedCard>(page, 'feed.card', { id })
const items = (page: Page) => rpc<PreviewItem[]>(page, 'preview.items')

/**
 * Opens a card (once, in-app: the node keeps its peers) and gives the natural width of its
 * real preview image (0 until shown).
 */
async function realImageWidth(page: Page, id: string): Promise<number> {
  if (!page.url().endsWith(id)) await go(page, `/card/${id}`)
  const img = page.locator(
    '[data-testid="card-view"] [data-testid="preview-media"][data-state="real"] [data-testid="preview-real"]',
  )
  if ((await img.count()) === 0) return 0
  return img.evaluate((i: HTMLImageElement) => i.naturalWidth)
}

test('B sees the real previews of A’s video, images, app and PDF, fetched over their preview torrents', async ({
  browser,
}) => {
  const [a, b] = await openNodes(browser, stack(), 2, '/node')
  await Promise.all([person(a!.page, MNEMONIC_A), person(b!.page, MNEMONIC_B)])
  // A load, not in-app navigation: the UI learns the identity restored over RPC.
  await a!.page.goto('/feed')
  const video = await publishUi(a!.page, {
    title: 'Test card video',
    file: ['clip.mp4', 'video/mp4', media.mp4],
  })
  const image = await publishUi(a!.page, {
    title: 'Test card image',
    file: ['pattern.png', 'image/png', media.png],
  })
  const app = await publishUi(a!.page, {
    title: 'Test card app',
    file: ['demo.zip', 'application/zip', media.zip],
  })
  const paid = await publishUi(a!.page, {
    title: 'Test card paid image',
    file: ['pattern.png', 'image/png', media.png],
    price: '0.01',
  })
  const pdf = await publishUi(a!.page, {
    title: 'Test card paper',
    file: ['paper.pdf', 'application/pdf', onePagePdf('Slices and cheques')],
  })
  const own = await items(a!.page)
  expect(own).toHaveLength(5)
  expect(own.every((p) => p.origin === 'own' && p.state === 'complete')).toBe(true)

  // The video: the placeholder at once, then the poster and clip from A's preview torrent.
  await go(b!.page, `/card/${video}`)
  const vm = media$(b!.page)
  await expect(vm).toHaveAttribute('data-state', 'real', { timeout: 60_000 })
  const clip = vm.getByTestId('preview-clip')
  await expect(clip).toHaveAttribute('poster', /^blob:/)
  await expect
    .poll(() => clip.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && v.videoWidth))
    .toBeGreaterThan(0)
  const vCard = await cardOf(b!.page, video)
  const vIh = vCard.card.preview?.infoHash?.slice(2) as string
  expect(own.map((p) => p.infoHash)).toContain(vIh)
  const vFiles = await rpc<{ infoHash: string; files: PreviewFileData[] }>(b!.page, 'preview.get', {
    infoHash: vIh,
  })
  expect(vFiles.infoHash).toBe(vIh)
  expect(vFiles.files.map((f) => f.name)).toEqual(['poster.webp', 'clip.webm'])
  const clipBytes = Object.values(vFiles.files[1]!.bytes) as number[]
  expect(clipBytes.slice(0, 4)).toEqual([0x1a, 0x45, 0xdf, 0xa3]) // WebM (EBML)
  const poster = Object.values(vFiles.files[0]!.bytes) as number[]
  expect(String.fromCharCode(...poster.slice(8, 12))).toBe('WEBP')

  // The image: downscaled to 1280 px (the inline one in the card is at most 160 px).
  await expect.poll(() => realImageWidth(b!.page, image), { timeout: 60_000 }).toBe(1280)
  const iIh = (await cardOf(b!.page, image)).card.preview?.infoHash?.slice(2)
  expect(own.map((p) => p.infoHash)).toContain(iIh)
  expect(iIh).not.toBe(vIh)
  // Software in a ZIP: its screenshot and README.
  await expect.poll(() => realImageWidth(b!.page, app), { timeout: 60_000 }).toBe(800)
  await expect(media$(b!.page).getByTestId('preview-text')).toContainText('# Demo app')
  // A paid card's preview is public, so its image is only a 480 px teaser.
  await expect.poll(() => realImageWidth(b!.page, paid), { timeout: 60_000 }).toBe(480)
  // A PDF: its first page drawn (792 pt high → 1280 px, so 612 pt → 989 px) and its text.
  await expect.poll(() => realImageWidth(b!.page, pdf), { timeout: 60_000 }).toBe(989)
  await expect(media$(b!.page).getByTestId('preview-text')).toContainText('Slices and cheques')
  const got = await items(b!.page)
  for (const ih of [vIh, iIh])
    expect(got.find((p) => p.infoHash === ih)).toMatchObject({ origin: 'peer', state: 'complete' })

  // B keeps the previews across a reload and seeds them: with A gone, C gets the video's from B.
  await a!.context.close()
  await b!.page.reload()
  await waitForStatus(b!.page, (s) => s.relay.state === 'connected')
  expect((await items(b!.page)).filter((p) => p.state === 'complete')).toHaveLength(5)
  const [c] = await openNodes(browser, stack(), 1, `/card/${video}`)
  await expect(media$(c!.page)).toHaveAttribute('data-state', 'real', { timeout: 60_000 })
  await expect(media$(c!.page).getByTestId('preview-clip')).toBeVisible()
  await Promise.all([b!.context.close(), c!.context.close()])
})

test('an oversized or mismatched preview torrent is refused with its reason; the card keeps its placeholder', async ({
  browser,
}) => {
  const s = stack()
  const [a, b] = await openNodes(browser, s, 2, '/node')
  await waitForStatus(a!.page, (st) => st.relay.state === 'connected')
  // A (a dev chain allows it) seeds two torrents no honest node would make.
  const seedBad = (files: [string, number][]) =>
    a!.page.evaluate(async (fs) => {
      const { node } = (
        globalThis as unknown as {
          hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<unknown> } } }
        }
      ).hashcard
      const files = fs.map(([name, n]) => ({ name, bytes: new Uint8Array(n).fill(7) }))
      return (await node.rpc.call('preview.seed', { files, unchecked: true })) as {
        infoHash: string
      }
    }, files)
  const big = await seedBad([
    ['poster.webp', 1000],
    ['clip.webm', 5 * 1024 * 1024],
  ])
  const odd = await seedBad([['index.html', 2000]])

  // Cards naming them, posted raw on-chain, each with a ThumbHash placeholder.
  const rgba = new Uint8Array(8 * 8 * 4).fill(200)
  const placeholder = rgbaToThumbHash(8, 8, rgba)
  const cardFor = async (title: string, ih: string) => {
    const bytes = encodeCard({
      v: 1,
      kind: 'video',
      title,
      tags: [],
      createdAt: Math.floor(Date.now() / 1000),
      preview: { placeholder, infoHash: `0x${ih}` },
      access: { free: true },
    })
    await postRawCard(s, toHex(bytes))
    const { cardIdOf } = await import('../src/shared/card/card.ts')
    return cardIdOf(bytes)
  }
  const bigId = await cardFor('Too big a preview', big.infoHash)
  const oddId = await cardFor('A preview with a web page in it', odd.infoHash)

  await go(b!.page, `/card/${bigId}`)
  const m = media$(b!.page)
  await expect(m).toHaveAttribute('data-state', 'refused', { timeout: 60_000 })
  await expect(m).toHaveAttribute(
    'data-reason',
    /PreviewTooLargeError: .*larger than 4194304 bytes/,
  )
  await expect(m.getByTestId('preview-placeholder')).toBeVisible()
  await go(b!.page, `/card/${oddId}`)
  await expect(m).toHaveAttribute('data-state', 'refused', { timeout: 60_000 })
  await expect(m).toHaveAttribute('data-reason', /PreviewMismatchError: .*index\.html/)
  await expect(m.getByTestId('preview-placeholder')).toBeVisible()

  // B remembers why (and never fetches them again); it stored none of their pieces.
  const refused = (await items(b!.page)).filter((p) => p.state === 'refused')
  expect(refused.map((p) => [p.infoHash, p.reason?.name]).sort()).toEqual(
    [
      [big.infoHash, 'PreviewTooLargeError'],
      [odd.infoHash, 'PreviewMismatchError'],
    ].sort(),
  )
  // The node keeps running.
  await waitForStatus(b!.page, (st) => st.relay.state === 'connected')
  await Promise.all([a!.context.close(), b!.context.close()])
})
