/**
 * Swarm and streaming end to end (issue 5): real Chromium contexts, real relay and tracker.
 * A publishes a 60 s H.264/AAC video made by ffmpeg here and seeds it; B plays it from A
 * through `/c/<infoHash>` (playing, a seek to 75 %, byte-exact Range answers); C fetches from
 * A and B at once; a seeder killed mid-transfer (issue 20's drill) costs the download no
 * stall; a tampering peer is banned and the download still completes; a tab reloaded
 * mid-download resumes from its verified slices.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, expect, type Page, test } from '@playwright/test'
import { BLOCK_BYTES } from '../src/node/swarm/constants.ts'
import type { SwarmStats, SwarmTorrentInfo } from '../src/shared/protocol/methods/swarm.ts'
import { chromiumLaunchOptions } from './browser.ts'
import { type NodePage, openNodes, shaThroughSw, useStack } from './stack.ts'
import { swarmReady as ready, swarmStatus as status, waitComplete } from './swarm.ts'

const stack = useStack(test)
test.describe.configure({ mode: 'serial' })
test.setTimeout(180_000)

let video: Buffer
let videoSha: string
let a: NodePage
let b: NodePage
let info: SwarmTorrentInfo & { key: string }

test.beforeAll(async () => {
  const file = join(tmpdir(), 'hashcard-stream-60s.mp4')
  if (!existsSync(file)) {
    // biome-ignore format: the command as PLATFORM.md gives it
    execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '60', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-c:a', 'aac', '-movflags', '+faststart', file])
  }
  video = readFileSync(file)
  videoSha = createHash('sha256').update(video).digest('hex')
})

test.afterAll(async () => {
  await Promise.all([a?.context.close(), b?.context.close()])
})

/** Calls the node's RPC from the page (the same client the UI uses). */
function rpc<T>(page: Page, method: string, params?: unknown): Promise<T> {
  return page.evaluate(
    async ([m, p]) => {
      const { node } = (
        globalThis as unknown as {
          hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<unknown> } | null } }
        }
      ).hashcard
      if (!node.rpc) throw new Error('the node is not running in this tab')
      return node.rpc.call(m as string, p)
    },
    [method, params] as const,
  ) as Promise<T>
}

/** Prints the node's swarm warnings and errors (they explain a failure). */
function watch(nodes: NodePage[], names: string): void {
  nodes.forEach((n, i) => {
    n.page.on('console', (m) => {
      if ((m.type() === 'warning' || m.type() === 'error') && m.text().includes('hashcard:swarm'))
        console.log(`[${names[i]}] ${m.text()}`)
    })
  })
}

async function openPlayer(page: Page, id: string): Promise<void> {
  // In-app navigation: the relay serves the app shell for its known routes only.
  await page.evaluate((path) => {
    history.pushState(null, '', path)
    dispatchEvent(new PopStateEvent('popstate'))
  }, `/play/${id}`)
  await expect(page.getByTestId('player')).toBeVisible({ timeout: 30_000 })
}

test('A publishes and seeds; B plays it from A, seeks to 75 %, and gets the exact bytes', async ({
  browser,
}) => {
  ;[a, b] = (await openNodes(browser, stack(), 2)) as [NodePage, NodePage]
  watch([a, b], 'AB')
  await Promise.all([ready(a.page), ready(b.page)])

  await rpc(a.page, 'identity.create', { words: 12 })
  await rpc(a.page, 'identity.confirm', { later: true })
  // The file goes into A's page in base64 pieces: the relay's connect-src admits no other
  // origin to fetch it from (as a person's file comes from a picker, not the network).
  const PIECE = 3 * 2 ** 20
  for (let at = 0; at < video.length; at += PIECE) {
    const b64 = video.subarray(at, at + PIECE).toString('base64')
    await a.page.evaluate((b64) => {
      const w = globalThis as unknown as { __file?: Uint8Array<ArrayBuffer>[] }
      w.__file ??= []
      w.__file.push(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)))
    }, b64)
  }
  const published = await a.page.evaluate(async () => {
    const w = globalThis as unknown as { __file: Uint8Array<ArrayBuffer>[] }
    const blob = new Blob(w.__file, { type: 'video/mp4' })
    delete (w as { __file?: unknown }).__file
    const { node } = (
      globalThis as unknown as {
        hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<{ id: string }> } } }
      }
    ).hashcard
    return node.rpc.call('store.publishFile', { file: blob, name: 'out.mp4', mime: 'video/mp4' })
  })
  info = await rpc(a.page, 'swarm.seed', { itemId: published.id, free: true })
  expect(info.infoHash).toMatch(/^[0-9a-f]{40}$/)
  expect(info.key).toMatch(/^[0-9a-f]{64}$/)
  expect(info.content.size).toBe(video.length)

  // B has neither the item nor a key yet: 404 from the SW, as a page.
  const missing = await b.page.evaluate(async (id) => {
    const r = await fetch(`/c/${id}`)
    return { status: r.status, type: r.headers.get('content-type') }
  }, info.infoHash)
  expect(missing).toEqual({ status: 404, type: 'text/html; charset=utf-8' })

  await rpc(b.page, 'swarm.add', { content: info.content, access: { kind: 'free', key: info.key } })
  await openPlayer(b.page, info.infoHash)
  await b.page.waitForFunction(
    () => {
      const v = document.querySelector('video')
      return !!v && !v.paused && v.currentTime > 0.5
    },
    null,
    { timeout: 60_000 },
  )
  // Seek to 75 % and play on from there.
  const target = await b.page.evaluate(() => {
    const v = document.querySelector('video') as HTMLVideoElement
    v.currentTime = v.duration * 0.75
    return v.currentTime
  })
  expect(target).toBeGreaterThan(40)
  await b.page.waitForFunction(
    (t) => {
      const v = document.querySelector('video') as HTMLVideoElement
      return !v.seeking && !v.paused && v.currentTime > t + 0.5
    },
    target,
    { timeout: 60_000 },
  )
  await expect(b.page.getByTestId('slices-have')).toBeVisible()

  await waitComplete(b.page, info.infoHash)
  expect(await shaThroughSw(b.page, info.infoHash)).toBe(videoSha)
  // Range → 206 with the exact bytes and headers.
  const ranged = await b.page.evaluate(async (id) => {
    const r = await fetch(`/c/${id}`, { headers: { range: 'bytes=300000-700000' } })
    return {
      status: r.status,
      range: r.headers.get('content-range'),
      length: r.headers.get('content-length'),
      accept: r.headers.get('accept-ranges'),
      type: r.headers.get('content-type'),
      bytes: Array.from(new Uint8Array(await r.arrayBuffer())),
    }
  }, info.infoHash)
  expect(ranged.status).toBe(206)
  expect(ranged.range).toBe(`bytes 300000-700000/${video.length}`)
  expect(ranged.length).toBe('400001')
  expect(ranged.accept).toBe('bytes')
  expect(ranged.type).toBe('video/mp4')
  expect(Buffer.from(ranged.bytes).equals(video.subarray(300000, 700001))).toBe(true)
})

test('C fetches from A and B together, and both upload to it', async ({ browser }) => {
  const [c] = (await openNodes(browser, stack(), 1)) as [NodePage]
  watch([c], 'C')
  await ready(c.page)
  // Slow both seeders so neither can finish the item alone before the other is connected.
  await Promise.all([a, b].map((n) => rpc(n.page, 'swarm.debug', { uploadLimit: 1_500_000 })))
  try {
    await rpc(c.page, 'swarm.add', {
      content: info.content,
      access: { kind: 'free', key: info.key },
    })
    const done = await waitComplete(c.page, info.infoHash)
    const uploaders = done.peers.filter((p) => p.downloaded > 0)
    expect(uploaders.length).toBeGreaterThanOrEqual(2)
    expect(await shaThroughSw(c.page, info.infoHash)).toBe(videoSha)
  } finally {
    await Promise.all([a, b].map((n) => rpc(n.page, 'swarm.debug', { uploadLimit: -1 })))
    await c.context.close()
  }
})

test('a seeder killed mid-transfer: the download goes on from the other at once, exact, nothing fetched twice', async ({
  browser,
}) => {
  // K seeds from a browser of its own, so it can die as a crashed or powered-off one does:
  // SIGKILL, no goodbye on any wire.
  const kServer = await chromium.launchServer(chromiumLaunchOptions())
  const kBrowser = await chromium.connect(kServer.wsEndpoint())
  const [d] = (await openNodes(browser, stack(), 1)) as [NodePage]
  watch([d], 'D')
  try {
    const [k] = (await openNodes(kBrowser, stack(), 1)) as [NodePage]
    await Promise.all([ready(k.page), ready(d.page)])
    await rpc(k.page, 'swarm.add', {
      content: info.content,
      access: { kind: 'free', key: info.key },
    })
    await waitComplete(k.page, info.infoHash)
    // Both slow, so D needs both for a while and K has requests out when it dies.
    await Promise.all([a, k].map((n) => rpc(n.page, 'swarm.debug', { uploadLimit: 1_000_000 })))
    await rpc(d.page, 'swarm.add', {
      content: info.content,
      access: { kind: 'free', key: info.key },
    })
    await expect
      .poll(
        async () => {
          const s = await status(d.page, info.infoHash)
          return s.peers.filter((p) => p.downloaded > 0).length >= 2 && s.present >= s.count / 4
        },
        { timeout: 60_000, intervals: [100] },
      )
      .toBe(true)
    kServer.process().kill('SIGKILL')
    const killed = Date.now()
    // From the kill to the end, the longest wait for the next verified slice.
    let last = (await status(d.page, info.infoHash)).present
    let lastAt = killed
    let longest = 0
    let done: SwarmStats | undefined
    while (Date.now() - killed < 60_000) {
      const s = await status(d.page, info.infoHash)
      if (s.present > last) {
        longest = Math.max(longest, Date.now() - lastAt)
        last = s.present
        lastAt = Date.now()
      }
      if (s.present === s.count) {
        done = s
        break
      }
      await d.page.waitForTimeout(100)
    }
    console.log(
      `D completed ${((Date.now() - killed) / 1000).toFixed(1)} s after K died; longest wait for a slice ${longest} ms; received ${done?.received} bytes for ${done?.size}; ${done?.reissued} requests re-issued; from ${done?.peers.map((p) => `${p.peerId.slice(-8)} ${p.downloaded}`).join(', ')}`,
    )
    expect(done, 'the download completed').toBeDefined()
    // A dead wire's slices go to A within the stall limit (1.5 s, a tick), not its ~17 s timeout:
    // the download goes on within 2 s (issue 20; 0.43 and 0.65 s in the runs of 2026-12-06).
    expect(longest).toBeLessThan(2_000)
    // Verified slices are not fetched again: every byte over the item's size is a block whose
    // request was moved to another wire (K's, and those of a live seeder taken for stalled
    // while its rate cap held its blocks back: it still sends what it had queued), and the
    // waste stays bounded.
    const extra = (done?.received ?? 0) - (done?.size ?? 0)
    expect(extra).toBeLessThanOrEqual((done?.reissued ?? 0) * BLOCK_BYTES)
    expect(done?.received ?? 0).toBeLessThan((done?.size ?? 0) * 1.5)
    expect(await shaThroughSw(d.page, info.infoHash)).toBe(videoSha)
  } finally {
    await rpc(a.page, 'swarm.debug', { uploadLimit: -1 })
    await d.context.close()
    await kServer.close().catch(() => {})
  }
})

test('a tampering peer is banned and the download completes from honest peers', async ({
  browser,
}) => {
  await rpc(b.page, 'swarm.debug', { tamper: true })
  const [d] = (await openNodes(browser, stack(), 1)) as [NodePage]
  watch([d], 'D')
  try {
    await ready(d.page)
    await rpc(d.page, 'swarm.add', {
      content: info.content,
      access: { kind: 'free', key: info.key },
    })
    await openPlayer(d.page, info.infoHash)
    const done = await waitComplete(d.page, info.infoHash)
    // Only the tamperer: A, which may have sent other blocks of the same failed pieces, is not.
    expect(done.banned).toHaveLength(1)
    await expect(d.page.getByTestId('swarm-banned')).toBeVisible()
    expect(await shaThroughSw(d.page, info.infoHash)).toBe(videoSha)
    await d.page.waitForFunction(
      () => {
        const v = document.querySelector('video')
        return !!v && v.currentTime > 0.5
      },
      null,
      { timeout: 60_000 },
    )
  } finally {
    await rpc(b.page, 'swarm.debug', { tamper: false })
    await d.context.close()
  }
})

test('a tab reloaded mid-download resumes from its verified slices', async ({ browser }) => {
  // Only A seeds, slowly, so the reload lands mid-download.
  await b.context.close()
  await rpc(a.page, 'swarm.debug', { uploadLimit: 1_000_000 })
  const [e] = (await openNodes(browser, stack(), 1)) as [NodePage]
  watch([e], 'E')
  try {
    await ready(e.page)
    await rpc(e.page, 'swarm.add', {
      content: info.content,
      access: { kind: 'free', key: info.key },
    })
    await expect
      .poll(async () => (await status(e.page, info.infoHash)).present, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(4)
    const before = await status(e.page, info.infoHash)
    expect(before.present).toBeLessThan(before.count)
    await e.page.reload()
    await ready(e.page)
    const after = await status(e.page, info.infoHash)
    expect(after.present).toBeGreaterThanOrEqual(before.present)
    await rpc(a.page, 'swarm.debug', { uploadLimit: -1 })
    const done = await waitComplete(e.page, info.infoHash)
    // Nothing verified was fetched again: the new session received at most the missing
    // slices plus the torrent's metadata, which it fetches again from the peer (a few KiB:
    // `received` counts every byte from peers). A re-fetched verified slice would add a
    // whole slice, which the strict bound below catches.
    const sliceSize = info.content.sliceSize
    expect(done.received).toBeLessThan((done.count - before.present + 1) * sliceSize)
    expect(done.received).toBeGreaterThan(0)
    expect(await shaThroughSw(e.page, info.infoHash)).toBe(videoSha)
  } finally {
    await rpc(a.page, 'swarm.debug', { uploadLimit: -1 })
    await e.context.close()
  }
})
