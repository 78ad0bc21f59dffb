/**
 * Helpers of bench/keys.ts: the test clip, onboarding, in-app navigation, publishing a paid
 * video through the compose view and swarming a card's ciphertext, as e2e/paid.spec.ts does.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import type { Page } from 'playwright-core'
import { answerSpend } from '../e2e/spend.ts'
import type { FeedCard } from '../src/shared/card/feed.ts'
import type { NodeStatus } from '../src/shared/protocol/methods/node.ts'
import type { SwarmStats, SwarmTorrentInfo } from '../src/shared/protocol/methods/swarm.ts'
import { rpc } from './_stream.ts'

/** A 3 s 320×240 H.264 clip (the one of e2e/paid.spec.ts), made once per machine. */
export function makeClip(): Buffer {
  const file = join(tmpdir(), 'hashcard-keys-clip.mp4')
  if (!existsSync(file)) {
    // biome-ignore format: one ffmpeg command
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', file])
  }
  return readFileSync(file)
}

export const mnemonic = (b: number) => entropyToMnemonic(new Uint8Array(16).fill(b), wordlist)

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeout = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeout
  for (;;) {
    const v = await probe().catch(() => null)
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

const status = (page: Page) => rpc<NodeStatus>(page, 'node.status')

/** Restores a fixed identity, funds it, waits for the relay reservation and the Service Worker. */
export async function person(page: Page, words: string): Promise<void> {
  await until('the node', () =>
    page.evaluate(
      () =>
        !!(globalThis as unknown as { hashcard?: { node: { rpc: unknown } } }).hashcard?.node.rpc,
    ),
  )
  await until('the relay', async () => (await status(page)).relay.state === 'connected')
  const { address } = await rpc<{ address: string }>(page, 'identity.restore', { mnemonic: words })
  await page.evaluate(() =>
    (
      globalThis as unknown as { hashcard: { node: { refreshIdentity(): Promise<void> } } }
    ).hashcard.node.refreshIdentity(),
  )
  const res = await page.request.post('/faucet', { data: { address } })
  if (!res.ok()) throw new Error(`faucet: ${res.status()}`)
  await until(
    'the faucet',
    async () => BigInt((await rpc<{ balance: string }>(page, 'feed.account')).balance) > 0n,
  )
  await until('a reservation', async () => {
    const s = await status(page)
    return s.relay.state === 'connected' && !!s.relay.reservation
  })
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: 30_000,
  })
}

/** In-app navigation: the node keeps running (a reload would restart it). */
export async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => {
    history.pushState(null, '', p)
    dispatchEvent(new PopStateEvent('popstate'))
  }, path)
}

/** Publishes the clip as a paid card (0.01 ETH) in the compose view; returns the card id. */
export async function publishPaidVideo(
  page: Page,
  mp4: Buffer,
  title: string,
): Promise<`0x${string}`> {
  await page.locator('header a[href="/compose"]').click({ timeout: 15_000 })
  await page.getByTestId('compose').waitFor({ timeout: 15_000 })
  await page
    .getByTestId('file')
    .setInputFiles({ name: 'clip.mp4', mimeType: 'video/mp4', buffer: mp4 })
  await page.getByTestId('preview').waitFor({ timeout: 30_000 })
  await page.getByTestId('title').fill(title)
  await page.getByTestId('paid').check()
  const fields = page.getByTestId('listing-fields')
  await fields.locator('input[name="price"]').fill('0.01')
  await fields.locator('input[name="transferFee"]').fill('0.001')
  await page.getByTestId('publish').click()
  // Posting, then listing: each transaction is confirmed first (the spend confirmation).
  await answerSpend(page)
  await answerSpend(page)
  await page.waitForURL(/\/card\/0x[0-9a-f]{64}$/, { timeout: 60_000 })
  return page.url().split('/card/')[1] as `0x${string}`
}

/** The buyer's node fetches the card's ciphertext from the swarm (no key yet), fully. */
export async function swarmCard(page: Page, cardId: string): Promise<void> {
  const item = await until('the card at the buyer', () =>
    rpc<FeedCard | null>(page, 'feed.card', { id: cardId }),
  )
  const c = item.card.content
  if (!c?.infoHash) throw new Error('the card has no seeded content')
  const bare = (h: string) => h.slice(2)
  const info = await rpc<SwarmTorrentInfo>(page, 'swarm.add', {
    cardId,
    content: {
      infoHash: bare(c.infoHash),
      contentRoot: bare(c.contentRoot),
      size: c.size,
      sliceSize: c.sliceSize,
      contentSalt: bare(c.contentSalt),
      name: c.name,
      mime: c.mime,
    },
  })
  await until('the ciphertext at the buyer', async () => {
    const s = await rpc<SwarmStats>(page, 'swarm.status', { id: info.infoHash })
    return s.present === s.count
  })
}
