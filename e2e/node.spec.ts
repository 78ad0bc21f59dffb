/**
 * The personal node end to end (issue 17, DESIGN §4.7): real Chromium nodes, real anvil,
 * relay and tracker. P publishes three 16 MiB items (its own: never evicted).
 *
 * - An upload cap of 2 MB/s on P holds within ±15 % while two leechers fetch from it alone.
 * - P's node page while a leecher fetches: a live upload rate and its chart, and the item's row
 *   with the requests seen; the leecher's page shows its download and the item.
 * - D, with a 40 MiB budget, fetches the three items one after another: the pinned first one
 *   stays, the unpinned second is evicted to make room for the third, which completes. (The
 *   issue's three 24 MiB items cannot share 40 MiB with a pinned one at all; 16 MiB items keep
 *   its point: two fit, the third evicts.)
 * - An eviction while a peer fetches from D: Y completes the item from P with exact bytes.
 * - D's settings survive a reload; with "seed what I watch" off, the reopened D seeds its
 *   pinned item but not the one it only watched, which it still holds.
 */
import { createHash, randomBytes } from 'node:crypto'
import { expect, type Page, test } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import type { SeedSettingsWire, SeedUsage } from '../src/shared/protocol/methods/seed.ts'
import type { SwarmStats, SwarmTorrentInfo } from '../src/shared/protocol/methods/swarm.ts'
import { person, publishFile } from './people.ts'
import { type NodePage, openNodes, rpc, shaThroughSw, useStack, waitForStatus } from './stack.ts'

const stack = useStack(test)
test.describe.configure({ mode: 'serial' })
test.setTimeout(240_000)

const MiB = 1024 * 1024
const mnemonic = (b: number) => entropyToMnemonic(new Uint8Array(16).fill(b), wordlist)
const DATA = [randomBytes(16 * MiB), randomBytes(16 * MiB), randomBytes(16 * MiB)]
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

let p: NodePage
let d: NodePage
const cards: `0x${string}`[] = []
const items: string[] = []

const status = (page: Page, id: string) => rpc<SwarmStats>(page, 'swarm.status', { id })
const usage = (page: Page) => rpc<SeedUsage>(page, 'seed.usage')

async function play(page: Page, i: number): Promise<string> {
  const info = await rpc<SwarmTorrentInfo>(page, 'content.play', { cardId: cards[i] })
  items[i] = info.itemId
  return info.itemId
}

async function waitComplete(page: Page, id: string, timeout = 120_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const st = await status(page, id).catch(() => undefined)
        return st ? st.present === st.count : false
      },
      { timeout, message: `download of ${id} did not complete` },
    )
    .toBe(true)
}

test('an upload cap of 2 MB/s holds within ±15 % while two leechers fetch', async ({ browser }) => {
  ;[p] = (await openNodes(browser, stack(), 1)) as [NodePage]
  await person(p.page, mnemonic(1))
  for (const [i, bytes] of DATA.entries())
    cards.push(await publishFile(p.page, `item-${i}.bin`, 'application/octet-stream', bytes))
  await rpc(p.page, 'seed.setSettings', { uploadBytesPerSec: 2_000_000 })

  const leechers = (await openNodes(browser, stack(), 2)) as NodePage[]
  await Promise.all(leechers.map((n, i) => person(n.page, mnemonic(2 + i))))
  // Different items, so the leechers cannot trade slices: all of it is P's to send (33.6 MB,
  // about 17 s at the cap).
  await Promise.all(
    leechers.map((n, i) => rpc<SwarmTorrentInfo>(n.page, 'content.play', { cardId: cards[i] })),
  )
  const uploaded = async () =>
    (await rpc<SwarmStats[]>(p.page, 'swarm.items')).reduce((t, s) => t + s.uploaded, 0)
  // After a 3 s start, 10 s of P's upload to both.
  await p.page.waitForTimeout(3_000)
  const t0 = Date.now()
  const u0 = await uploaded()
  await p.page.waitForTimeout(10_000)
  const rate = ((await uploaded()) - u0) / ((Date.now() - t0) / 1000)
  console.log(`P uploaded ${(rate / 1e6).toFixed(2)} MB/s under a 2 MB/s cap`)
  expect(Math.abs(rate - 2_000_000) / 2_000_000).toBeLessThanOrEqual(0.15)
  await rpc(p.page, 'seed.setSettings', { uploadBytesPerSec: null })
  await Promise.all(leechers.map((n) => n.context.close()))
})

test("the node page shows P's live upload and the item's row while a leecher fetches", async ({
  browser,
}) => {
  const [l] = (await openNodes(browser, stack(), 1)) as [NodePage]
  await person(l.page, mnemonic(7))
  // Capped, so the fetch lasts (16 MiB at 2 MB/s): the test reads the page while it runs.
  await rpc(p.page, 'seed.setSettings', { uploadBytesPerSec: 2_000_000 })
  const info = await rpc<SwarmTorrentInfo>(l.page, 'content.play', { cardId: cards[0] })
  const own = (await rpc<SwarmStats[]>(p.page, 'swarm.items')).find(
    (s) => s.infoHash === info.infoHash,
  )
  const rate = (page: Page, id: string) =>
    expect.poll(async () => Number(await page.getByTestId(id).getAttribute('data-bytes-per-sec')), {
      timeout: 30_000,
      message: `${id} on the node page`,
    })
  await rate(p.page, 'rate-up').toBeGreaterThan(100_000)
  await expect(
    p.page.locator('[data-testid="rates-chart"] path[data-series="upload"]'),
  ).toHaveAttribute('d', /^M[\d.]+,[\d.]+L/)
  const row = p.page.locator(`[data-testid="storage-row"][data-id="${own?.itemId}"]`)
  await expect(row).toContainText('yours')
  await expect
    .poll(async () => Number(await row.getByTestId('storage-demand').getAttribute('data-count')))
    .toBeGreaterThan(0)
  await rate(l.page, 'rate-down').toBeGreaterThan(100_000)
  await expect(
    l.page.locator(`[data-testid="storage-row"][data-id="${info.itemId}"]`),
  ).toBeVisible()
  await rpc(p.page, 'seed.setSettings', { uploadBytesPerSec: null })
  await l.context.close()
})

test('a 40 MiB budget: the third 16 MiB item evicts the unpinned one, never the pinned one', async ({
  browser,
}) => {
  ;[d] = (await openNodes(browser, stack(), 1)) as [NodePage]
  await person(d.page, mnemonic(5))
  await rpc(d.page, 'seed.setSettings', { storageBudget: { kind: 'bytes', bytes: 40 * MiB } })
  await waitComplete(d.page, await play(d.page, 0))
  await rpc(d.page, 'seed.setItem', { itemId: items[0], pinned: true })
  await waitComplete(d.page, await play(d.page, 1))
  await waitComplete(d.page, await play(d.page, 2))
  const u = await usage(d.page)
  const held = u.items.filter((i) => i.kind === 'content').map((i) => i.id)
  expect(held).toContain(items[0])
  expect(held).toContain(items[2])
  expect(held).not.toContain(items[1])
  expect(u.items.find((i) => i.id === items[0])?.pinned).toBe(true)
  expect(u.used).toBeLessThanOrEqual(40 * MiB)
})

test('an eviction while a peer fetches from D: the peer completes from P with exact bytes', async ({
  browser,
}) => {
  const [y] = (await openNodes(browser, stack(), 1)) as [NodePage]
  await person(y.page, mnemonic(6))
  // P slow, so Y takes most of item 2 from D.
  await rpc(p.page, 'swarm.debug', { uploadLimit: 300_000 })
  const yItem = await play(y.page, 2)
  await expect
    .poll(async () => (await status(y.page, yItem)).present, { timeout: 60_000 })
    .toBeGreaterThanOrEqual(4)
  // D fetches item 1 again: room is made by evicting item 2 (item 0 is pinned).
  // The room is made when the download is added, before it starts.
  const again = await rpc<SwarmTorrentInfo>(d.page, 'content.play', { cardId: cards[1] })
  expect((await usage(d.page)).items.map((i) => i.id)).not.toContain(items[2])
  await rpc(p.page, 'swarm.debug', { uploadLimit: -1 })
  await waitComplete(d.page, again.itemId)
  await waitComplete(y.page, yItem)
  expect(await shaThroughSw(y.page, cards[2] as string)).toBe(sha(DATA[2] as Buffer))
  await y.context.close()
})

test("D's settings survive a reload", async () => {
  const set: Partial<SeedSettingsWire> = {
    uploadBytesPerSec: 3_000_000,
    downloadBytesPerSec: 5_000_000,
    seedWhatIWatch: false,
    defaultPricePerSlice: '1000',
  }
  const before = await rpc<SeedSettingsWire>(d.page, 'seed.setSettings', set)
  await rpc(d.page, 'seed.setItem', { itemId: items[0], pricePerSlice: '42' })
  // Once, in a fresh-clone run on a loaded machine (2026-12-05), this reload got
  // net::ERR_HTTP_RESPONSE_CODE_FAILURE while every other reload in the suite passed; it is
  // tried once more (and logged) until the cause is found. What is tested is the settings.
  await d.page.reload().catch(async (err: Error) => {
    console.warn(`reload failed, trying again: ${err.message}`)
    await d.page.reload()
  })
  await waitForStatus(d.page, (s) => s.relay.state === 'connected')
  expect(await rpc<SeedSettingsWire>(d.page, 'seed.settings')).toEqual(before)
  expect(before.storageBudget).toEqual({ kind: 'bytes', bytes: 40 * MiB })
  const u = await usage(d.page)
  expect(u.items.find((i) => i.id === items[0])).toMatchObject({
    pinned: true,
    pricePerSlice: '42',
    seeding: true,
  })
  // Seed what I watch is off: item 1, only watched, is held but no longer offered to peers.
  expect(u.items.find((i) => i.id === items[1])).toMatchObject({ seeding: false })
  const seeded = (await rpc<SwarmStats[]>(d.page, 'swarm.items')).map((s) => s.itemId)
  expect(seeded).toContain(items[0])
  expect(seeded).not.toContain(items[1])
})
