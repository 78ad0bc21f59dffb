/**
 * A paid and a free video card end to end, through the UI paths (real Chromium nodes, real
 * anvil, relay and tracker): A publishes a short H.264 video in the compose view (encrypt,
 * store, seed, post, register with the key agent, list with a transfer fee); B's node swarms
 * the ciphertext but `/c/<cardId>` is a 403 page; B buys on the card view, the key arrives and
 * the video plays; B offers the key for resale and C buys it (as the wallet does); C plays; B
 * is locked out again (403, Buy offered again, the player explains). A free card plays for B
 * straight from the card.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, type Page, test } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { parseEther } from 'viem'
import type { FeedCard } from '../src/shared/card/feed.ts'
import type { OwnedKey } from '../src/shared/protocol/methods/keys.ts'
import type { SwarmStats } from '../src/shared/protocol/methods/swarm.ts'
import { armRecorder, contentKeyNeedles, leaks, mnemonicNeedles, recordMessages } from './leaks.ts'
import { answerSpend } from './spend.ts'
import { go, openNodes, rpc, swControlled, useStack, waitForStatus } from './stack.ts'
import { addCardContent } from './swarm.ts'

const stack = useStack(test)
test.describe.configure({ mode: 'serial' })
test.setTimeout(240_000)
const mnemonic = (b: number) => entropyToMnemonic(new Uint8Array(16).fill(b), wordlist)

let media: { dir: string; mp4: Buffer }
test.beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'hashcard-paid-'))
  // biome-ignore format: one ffmpeg command
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', join(dir, 'v.mp4')])
  media = { dir, mp4: readFileSync(join(dir, 'v.mp4')) }
})
test.afterAll(() => rmSync(media.dir, { recursive: true, force: true }))

/** Restores a fixed identity, funds it, waits for the relay and the Service Worker. */
async function person(page: Page, words: string): Promise<void> {
  await waitForStatus(page, (s) => s.relay.state === 'connected', { timeout: 60_000 })
  const { address } = await rpc<{ address: string }>(page, 'identity.restore', { mnemonic: words })
  await page.evaluate(() =>
    (
      globalThis as unknown as { hashcard: { node: { refreshIdentity(): Promise<void> } } }
    ).hashcard.node.refreshIdentity(),
  )
  expect((await page.request.post('/faucet', { data: { address } })).ok()).toBe(true)
  await expect
    .poll(async () => BigInt((await rpc<{ balance: string }>(page, 'feed.account')).balance))
    .toBeGreaterThan(0n)
  await waitForStatus(page, (s) => s.relay.state === 'connected' && !!s.relay.reservation)
  await swControlled(page)
}

/** Publishes the video in the compose view; returns the card id. */
async function publishVideo(page: Page, title: string, paid = false): Promise<`0x${string}`> {
  await page.locator('header a[href="/compose"]').click({ timeout: 15_000 })
  await expect(page.getByTestId('compose')).toBeVisible()
  await page
    .getByTestId('file')
    .setInputFiles({ name: 'clip.mp4', mimeType: 'video/mp4', buffer: media.mp4 })
  await expect(page.getByTestId('preview')).toBeVisible({ timeout: 30_000 })
  await page.getByTestId('title').fill(title)
  if (paid) {
    await page.getByTestId('paid').check()
    const fields = page.getByTestId('listing-fields')
    await fields.locator('input[name="price"]').fill('0.01')
    await fields.locator('input[name="transferFee"]').fill('0.001')
  }
  await page.getByTestId('publish').click()
  // Posting, then (paid) listing: each transaction is confirmed first.
  for (let i = 0; i < (paid ? 2 : 1); i++) await answerSpend(page)
  await expect(page).toHaveURL(/\/card\/0x[0-9a-f]{64}$/, { timeout: 60_000 })
  return page.url().split('/card/')[1] as `0x${string}`
}

/** Opens the card view, clicks Play and waits until the video plays on the watch page. */
async function playFromCard(page: Page, cardId: string): Promise<void> {
  await go(page, `/card/${cardId}`)
  await page.getByTestId('play').click({ timeout: 60_000 })
  await expect(page).toHaveURL(new RegExp(`/watch/${cardId}$`))
  await page.waitForFunction(
    () => {
      const v = document.querySelector<HTMLVideoElement>('video[data-testid="player"]')
      return !!v && v.error === null && v.currentTime > 0.5
    },
    null,
    { timeout: 60_000 },
  )
}

/** `/c/<cardId>` through the Service Worker: status, type and whether it is the no-key page. */
async function fetchContent(page: Page, cardId: string) {
  return page.evaluate(async (id) => {
    const r = await fetch(`/c/${id}`)
    const text = r.status === 403 ? await r.text() : ''
    if (r.status !== 403) await r.body?.cancel()
    return {
      status: r.status,
      type: r.headers.get('content-type'),
      noKey: text.includes('No key for this content'),
    }
  }, cardId)
}

const cardOf = async (page: Page, id: string): Promise<FeedCard> => {
  let card: FeedCard | null = null
  await expect
    .poll(async () => (card = await rpc<FeedCard | null>(page, 'feed.card', { id })), {
      timeout: 30_000,
    })
    .not.toBeNull()
  return card as unknown as FeedCard
}

test('a free video card plays for another node straight from the card', async ({ browser }) => {
  const [a, b] = await openNodes(browser, stack(), 2)
  await Promise.all([person(a!.page, mnemonic(0x11)), person(b!.page, mnemonic(0x22))])
  const cardId = await publishVideo(a!.page, 'A free clip')
  const { card } = await cardOf(b!.page, cardId)
  expect(card.content?.infoHash).toMatch(/^0x[0-9a-f]{40}$/)
  expect(card.access).toMatchObject({ free: true, key: expect.stringMatching(/^0x[0-9a-f]{64}$/) })
  await playFromCard(b!.page, cardId)
  await expect(b!.page.getByTestId('player-denied')).toHaveCount(0)
  await Promise.all([a!.context.close(), b!.context.close()])
})

test('paid: 403 without a key, buy → play, resale to C → C plays, B locked out', async ({
  browser,
}) => {
  // Every message between each page and its node (and the Service Worker) is recorded, to
  // check at the end that no key or phrase left a node worker (DESIGN §6).
  const recorded: string[][] = []
  const [a, b, c] = await openNodes(browser, stack(), 3, '/node', async (ctx, i) => {
    recorded[i] = await recordMessages(ctx)
  })
  const phrases = [mnemonic(0x33), mnemonic(0x44), mnemonic(0x55)]
  await Promise.all([
    person(a!.page, phrases[0]!),
    person(b!.page, phrases[1]!),
    person(c!.page, phrases[2]!),
  ])
  // Restoring sent each phrase to its node by design; from here on nothing may carry one.
  for (const n of [a, b, c]) await armRecorder(n!.page)
  const cardId = await publishVideo(a!.page, 'A paid clip', true)
  const listing = await rpc<{ price: string; transferFee: string }>(a!.page, 'keys.listing', {
    cardId,
  })
  expect(listing).toMatchObject({
    price: parseEther('0.01').toString(),
    transferFee: parseEther('0.001').toString(),
  })

  // B's node swarms the ciphertext (as the Play action does) but holds no key: a 403 page.
  const item = await cardOf(b!.page, cardId)
  expect(item.card.access.free).toBeUndefined()
  const content = item.card.content!
  const info = await addCardContent(b!.page, item)
  await expect
    .poll(
      async () => {
        const s = await rpc<SwarmStats>(b!.page, 'swarm.status', { id: info.infoHash })
        return s.present === s.count
      },
      { timeout: 60_000 },
    )
    .toBe(true)
  expect(await fetchContent(b!.page, cardId)).toEqual({
    status: 403,
    type: 'text/html; charset=utf-8',
    noKey: true,
  })

  // B buys on the card view; A's key agent delivers; B plays.
  await go(b!.page, `/card/${cardId}`)
  await expect(b!.page.getByTestId('card-price')).toHaveText('0.01 ETH')
  await expect(b!.page.getByTestId('play')).toHaveCount(0)
  await b!.page.getByTestId('buy').click({ timeout: 30_000 })
  await answerSpend(b!.page)
  await playFromCard(b!.page, cardId)
  // A's feed counts B's purchase as a verified view (read from the KeyMarket, no gossip needed).
  await expect
    .poll(async () => (await rpc<FeedCard>(a!.page, 'feed.card', { id: cardId })).verifiedViews, {
      timeout: 30_000,
    })
    .toBe(1)
  await go(a!.page, `/card/${cardId}`)
  await expect(a!.page.getByTestId('card-view').getByTestId('verified-views').first()).toHaveText(
    '1',
  )

  // A reload restarts B's node: `/c/<cardId>` still names the stored item (a share link or a
  // reloaded player works without opening the card first).
  await go(b!.page, '/')
  await b!.page.reload()
  await waitForStatus(b!.page, (s) => s.relay.state === 'connected')
  await expect
    .poll(async () => (await fetchContent(b!.page, cardId)).status, { timeout: 30_000 })
    .toBe(200)

  // B offers the key for resale; C buys the offer; C's own delivery arrives; C plays.
  const lib = await rpc<{ keys: OwnedKey[] }>(b!.page, 'keys.library')
  const tokenId = lib.keys.find((k) => k.cardId.toLowerCase() === cardId)?.tokenId as string
  expect(tokenId).toMatch(/^\d+$/)
  await rpc(b!.page, 'keys.offer', { tokenId, price: parseEther('0.02').toString() })
  await rpc(c!.page, 'keys.buyOffered', { tokenId })
  await playFromCard(c!.page, cardId)

  // B's node saw the transfer and dropped its key: 403 again.
  await expect
    .poll(async () => (await fetchContent(b!.page, cardId)).status, { timeout: 30_000 })
    .toBe(403)
  // …and its card view offers Buy again, while its player says plainly why it cannot play.
  await go(b!.page, `/card/${cardId}`)
  await expect(b!.page.getByTestId('buy')).toBeVisible({ timeout: 30_000 })
  await expect(b!.page.getByTestId('play')).toHaveCount(0)
  await go(b!.page, `/play/${cardId}`)
  await expect(b!.page.getByTestId('player-denied')).toBeVisible({ timeout: 30_000 })

  // Publish, list, buy, deliver, play, resell, play again: no message any page sent or got
  // carried the content key or any of the three phrases (in any of the forms leaks.ts knows).
  const needles = [
    ...(await contentKeyNeedles(phrases[0]!, content.contentSalt)),
    ...phrases.flatMap(mnemonicNeedles),
  ]
  const all = recorded.flat()
  expect(all.length).toBeGreaterThan(100) // the recorder heard the RPC traffic
  expect(all.some((m) => m.includes('keys.library'))).toBe(true)
  expect(leaks(all, needles)).toEqual([])
  // …and it would have seen one: a page posting the key in a message is caught.
  await a!.page.evaluate((k) => new MessageChannel().port1.postMessage({ k }), needles[0]!)
  await expect.poll(() => leaks(recorded[0]!, needles).length).toBe(1)
  await Promise.all([a!.context.close(), b!.context.close(), c!.context.close()])
})
