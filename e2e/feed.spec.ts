import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { toHex } from 'viem'
import { encodeCard } from '../src/shared/card/card.ts'
import { cardIn, person, postRawCard, publishUi } from './people.ts'
import { answerSpend } from './spend.ts'
import { go, openNodes, rpc, useStack } from './stack.ts'

const stack = useStack(test)
const MNEMONIC_A = entropyToMnemonic(new Uint8Array(16).fill(0xa1), wordlist)
const MNEMONIC_B = entropyToMnemonic(new Uint8Array(16).fill(0xb2), wordlist)

let media: { dir: string; png: Buffer; mp4: Buffer }
test.beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'hashcard-feed-'))
  const ff = (args: string[]) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args])
  ff(['-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', join(dir, 'a.png')])
  ff([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-t', '2'],
    ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', join(dir, 'a.mp4')],
  ])
  media = { dir, png: readFileSync(join(dir, 'a.png')), mp4: readFileSync(join(dir, 'a.mp4')) }
})
test.afterAll(() => rmSync(media.dir, { recursive: true, force: true }))

test('posts reach a peer by gossip and from the chain; reactions, follows, links and embeds work', async ({
  browser,
}) => {
  const [a, b] = await openNodes(browser, stack(), 2, '/node')
  const [addrA] = await Promise.all([person(a!.page, MNEMONIC_A), person(b!.page, MNEMONIC_B)])
  // Gossip flows through the relay's gossipsub peer; direct WebRTC links are not needed.

  // A posts a short post, an image and a video; B sees each in its lens within 3 s.
  const posts: [string, string, string, [string, string, Buffer] | undefined][] = [
    ['posts', 'post', 'Hello from A', undefined],
    ['photos', 'image', 'A test pattern', ['pattern.png', 'image/png', media.png]],
    ['watch', 'video', 'A short clip', ['clip.mp4', 'video/mp4', media.mp4]],
  ]
  const ids: Record<string, string> = {}
  // A load, not in-app navigation: the UI learns the identities restored over RPC.
  await b!.page.goto('/feed')
  await a!.page.goto('/feed')
  for (const [lens, kind, title, file] of posts) {
    await b!.page.getByTestId(`lens-${lens}`).click()
    await expect(b!.page.getByTestId('feed-empty')).toBeVisible()
    const id = await publishUi(a!.page, { title, text: `${kind} text`, ...(file ? { file } : {}) })
    ids[kind] = id
    await expect(cardIn(b!.page, id)).toBeVisible({ timeout: 3_000 })
    await expect(cardIn(b!.page, id).getByTestId('card-title')).toHaveText(title)
    await expect(cardIn(b!.page, id)).toHaveAttribute('data-kind', kind)
  }
  // The image card carries an inline preview.
  await go(b!.page, '/feed/photos')
  await expect(cardIn(b!.page, ids.image!).locator('img.preview')).toBeVisible()

  // After dropping its index and reloading, B gets everything back from the chain alone.
  await rpc(b!.page, 'feed.reset')
  await b!.page.reload()
  for (const [lens, kind] of posts) {
    await go(b!.page, `/feed/${lens}`)
    await expect(cardIn(b!.page, ids[kind]!)).toHaveAttribute('data-status', 'mined', {
      timeout: 15_000,
    })
  }

  // B reacts to the post and follows A; A sees the counts.
  await go(b!.page, '/feed/posts')
  await cardIn(b!.page, ids.post!).getByTestId('react').click()
  await answerSpend(b!.page)
  // The reaction is on-chain and indexed before B moves on.
  await expect(cardIn(b!.page, ids.post!).getByTestId('reactions')).toHaveText('1', {
    timeout: 15_000,
  })
  await go(b!.page, `/profile/${addrA}`)
  await b!.page.getByTestId('follow').click()
  await answerSpend(b!.page)
  await expect(b!.page.getByTestId('follow')).toHaveText('Unfollow', { timeout: 15_000 })
  await go(a!.page, `/card/${ids.post}`)
  await expect(a!.page.getByTestId('card-view').getByTestId('reactions')).toHaveText('1', {
    timeout: 15_000,
  })
  await go(a!.page, `/profile/${addrA}`)
  await expect(a!.page.getByTestId('followers')).toHaveText('1 follower', { timeout: 15_000 })
  // B's Following lens shows A's cards.
  await go(b!.page, '/feed/following')
  await expect(cardIn(b!.page, ids.video!)).toBeVisible({ timeout: 10_000 })

  // A comments; the comment counts on the card.
  await go(a!.page, `/card/${ids.image}`)
  await a!.page.getByTestId('comments-list').waitFor({ state: 'attached' })
  await a!.page.locator('form[data-testid="compose"]').getByTestId('text').fill('Nice colours')
  await a!.page.locator('form[data-testid="compose"]').getByTestId('publish').click()
  await answerSpend(a!.page)
  await expect(a!.page.getByTestId('comments-list').getByTestId('card')).toHaveCount(1, {
    timeout: 15_000,
  })
  await expect(a!.page.getByTestId('card-view').getByTestId('comments')).toHaveText('1')

  // A share link opens the card on a fresh profile.
  const shareUrl = await a!.page.getByTestId('share-link').inputValue()
  const [c] = await openNodes(browser, stack(), 1, new URL(shareUrl).pathname)
  await expect(c!.page.getByTestId('card-view').getByTestId('card-title')).toHaveText(
    'A test pattern',
    { timeout: 30_000 },
  )

  // The embed renders inside an iframe on another origin, and reports its size.
  const snippet = await a!.page.getByTestId('embed-snippet').inputValue()
  expect(snippet).toContain(`/embed/${ids.image}`)
  const host = await serveHost(snippet)
  try {
    const page = await c!.context.newPage()
    await page.goto(host.url)
    const frame = page.frameLocator('iframe')
    await expect(frame.getByTestId('card-title')).toHaveText('A test pattern', { timeout: 30_000 })
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { sizes: number[] }).sizes.at(-1) ?? 0))
      .toBeGreaterThan(50)
  } finally {
    host.server.close()
  }
  await Promise.all([a!.context.close(), b!.context.close(), c!.context.close()])
})

test('malformed and hostile cards on-chain are skipped or shown as text', async ({ browser }) => {
  const s = stack()
  const post = (card: `0x${string}`) => postRawCard(s, card)
  const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'
  const good = encodeCard({
    v: 1,
    kind: 'post',
    title: hostile,
    text: '<b>bold?</b> {@html nope}',
    tags: ['xss'],
    createdAt: Math.floor(Date.now() / 1000),
    access: { free: true },
  })
  await post('0xdeadbeef')
  await post(toHex(new Uint8Array(4096).fill(0xff)))
  await post(toHex(Uint8Array.from([0xa1, 0x61, 0x76, 0x02]))) // { v: 2 }
  await post(toHex(good))

  const [n] = await openNodes(browser, s, 1, '/feed/posts')
  const card = n!.page.locator('[data-testid="card"]', { hasText: 'onerror' })
  await expect(card.getByTestId('card-title')).toHaveText(hostile, { timeout: 20_000 })
  await expect(card.getByTestId('card-text')).toHaveText('<b>bold?</b> {@html nope}')
  await expect(card.locator('script, b, img[src="x"]')).toHaveCount(0)
  expect(
    await n!.page.evaluate(() => (window as unknown as { pwned?: number }).pwned),
  ).toBeUndefined()
  const status = await rpc<{ skipped: { reason: string }[] }>(n!.page, 'feed.status')
  const reasons = status.skipped.map((x) => x.reason).join('\n')
  expect(status.skipped.length).toBeGreaterThanOrEqual(3)
  expect(reasons).toMatch(/not valid CBOR|unsupported/)
  expect(reasons).toMatch(/v: unsupported version/)
  await n!.context.close()
})

/** A page on another origin (127.0.0.1 vs the app's localhost, another port) holding the embed. */
async function serveHost(snippet: string): Promise<{ server: Server; url: string }> {
  const html = `<!doctype html><meta charset="utf-8"><title>host</title>
<script>window.sizes = []; addEventListener('message', (e) => { if (e.data && e.data.type === 'hashcard:resize') window.sizes.push(e.data.height) })</script>
${snippet}`
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(html),
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }
}
