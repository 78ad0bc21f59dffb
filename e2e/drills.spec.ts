/**
 * Failure drills (issue 20, Deliver 5) in real tabs over the real relay, tracker and chain:
 * the relay restarted mid-transfer, the origin's storage quota cut, a leecher's browser closed
 * and reopened on its profile. (A seeder killed mid-transfer is in stream.spec.ts.) Items are
 * small and seeders slowed so each drill lands mid-transfer in a few seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, expect, test } from '@playwright/test'
import { chromiumLaunchOptions } from './browser.ts'
import { type NodePage, openNodes, rpc, shaThroughSw, useStack } from './stack.ts'
import {
  addFree,
  fixedIdentity,
  publishRandom,
  swarmReady,
  swarmStatus,
  waitComplete,
} from './swarm.ts'

const stack = useStack(test)
test.setTimeout(120_000)

const MiB = 1024 * 1024

test('relay restarted mid-transfer: the transfer completes, and a peer joining after finds the seeders within 30 s', async ({
  browser,
}) => {
  const started = Date.now()
  const [a, b, c] = (await openNodes(browser, stack(), 3)) as [NodePage, NodePage, NodePage]
  try {
    await Promise.all([a, b, c].map((n) => swarmReady(n.page)))
    await fixedIdentity(a.page, 0xe0)
    const { info, sha } = await publishRandom(a.page, 4 * MiB)
    // Two seeders: A published the item, B fetched it whole (a finished download seeds too).
    await addFree(b.page, info)
    await waitComplete(b.page, info.infoHash, 30_000)
    // Both slow, so C's download is still running when the relay goes.
    await Promise.all([a, b].map((n) => rpc(n.page, 'swarm.debug', { uploadLimit: 100_000 })))
    await addFree(c.page, info)
    await expect
      .poll(async () => (await swarmStatus(c.page, info.infoHash)).present, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(2)
    const stopping = Date.now()
    // Killed, as a crashed or rebooted relay host is, and started again on its ports.
    await stack().restartRelay({ crash: true })
    const restarted = Date.now()
    const mid = await swarmStatus(c.page, info.infoHash)
    console.log(
      `relay drill: the restart took ${restarted - stopping} ms; C had ${mid.present}/${mid.count} slices after it`,
    )
    expect(mid.present).toBeLessThan(mid.count)
    await Promise.all([a, b].map((n) => rpc(n.page, 'swarm.debug', { uploadLimit: -1 })))
    // The running transfer goes on over its wires and ends exact.
    await waitComplete(c.page, info.infoHash, 30_000)
    expect(await shaThroughSw(c.page, info.infoHash)).toBe(sha)

    // D joins after the restart: only the seeders' announces since the restart can bring it
    // a peer (the new tracker knows nobody from before).
    const [d] = (await openNodes(browser, stack(), 1)) as [NodePage]
    try {
      await swarmReady(d.page)
      const joined = Date.now()
      await addFree(d.page, info)
      await waitComplete(d.page, info.infoHash, 30_000)
      console.log(
        `relay drill: D completed ${((Date.now() - joined) / 1000).toFixed(1)} s after joining, ${((Date.now() - restarted) / 1000).toFixed(1)} s after the restart; test ${((Date.now() - started) / 1000).toFixed(1)} s`,
      )
      expect(await shaThroughSw(d.page, info.infoHash)).toBe(sha)
    } finally {
      await d.context.close()
    }
  } finally {
    await Promise.all([a, b, c].map((n) => n.context.close()))
  }
})

test('storage quota cut: a publish and a download that cannot fit fail with QuotaExceededError, leave nothing half-made, and earlier items read exactly', async ({
  browser,
}) => {
  const started = Date.now()
  const [q, s] = (await openNodes(browser, stack(), 2)) as [NodePage, NodePage]
  try {
    await Promise.all([q, s].map((n) => swarmReady(n.page)))
    await fixedIdentity(q.page, 0xe1)
    await fixedIdentity(s.page, 0xe2)
    const earlier = await publishRandom(q.page, 3 * MiB)
    const big = await publishRandom(s.page, 8 * MiB)
    const ids = async () =>
      (await rpc<{ id: string }[]>(q.page, 'store.items')).map((i) => i.id).sort()
    const before = await ids()
    // Q's origin (its profile's partition) gets a quota of 2 MiB, less than it already uses.
    // Chromium then refuses IndexedDB writes (OPFS writes through a sync access handle are not
    // checked against an overridden quota, and `estimate()` still reports the old one).
    const { usage } = await q.page.evaluate(() => navigator.storage.estimate())
    expect(usage).toBeGreaterThan(2 * MiB)
    const cdp = await q.context.newCDPSession(q.page)
    await cdp.send('Storage.overrideQuotaForOrigin', {
      origin: new URL(stack().relay.url).origin,
      quotaSize: 2 * MiB,
    })

    // A publish that cannot fit: the typed error, and no item left behind.
    const published = await q.page.evaluate(async (size) => {
      const { node } = (
        globalThis as unknown as {
          hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<unknown> } } }
        }
      ).hashcard
      return node.rpc
        .call('store.publishFile', { file: new Blob([new Uint8Array(size)]), name: 'big.bin' })
        .then(
          () => 'published',
          (err: Error) => `${err.name}: ${err.message}`,
        )
    }, 8 * MiB)
    console.log(`quota drill: the publish → ${published}`)
    expect(published).toMatch(/^QuotaExceededError: /)
    expect(await ids()).toEqual(before)

    // A download that cannot fit: refused, or stopped once it tries to store, with the same
    // error, and never fetching its slices again and again.
    const traffic = async () =>
      (await rpc<{ downloaded: number }>(q.page, 'swarm.traffic')).downloaded
    const received0 = await traffic()
    const outcome = async () =>
      swarmStatus(q.page, big.info.infoHash).then(
        (st) => `running ${st.present}/${st.count}`,
        (err: Error) => err.name,
      )
    const added = await addFree(q.page, big.info).then(
      () => 'accepted',
      (err: Error) => err.name,
    )
    console.log(`quota drill: the download → ${added}`)
    if (added === 'accepted')
      await expect.poll(outcome, { timeout: 15_000 }).toBe('QuotaExceededError')
    else expect(added).toBe('QuotaExceededError')
    await q.page.waitForTimeout(3_000)
    const received = (await traffic()) - received0
    console.log(`quota drill: received ${received} bytes for an item of ${big.info.content.size}`)
    expect(received).toBeLessThan(big.info.content.size)
    expect(await outcome()).not.toMatch(/^running/)

    // Everything stored before the cut reads exactly.
    expect(await shaThroughSw(q.page, earlier.info.infoHash)).toBe(earlier.sha)
    console.log(`quota drill: test ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } finally {
    await Promise.all([q, s].map((n) => n.context.close()))
  }
})

test('leecher closed mid-download and reopened on its profile: it resumes from its verified slices and ends exact', async ({
  browser,
}) => {
  const started = Date.now()
  const [a] = (await openNodes(browser, stack(), 1)) as [NodePage]
  const profile = await mkdtemp(join(tmpdir(), 'hashcard-leecher-'))
  // The leecher's own browser on a profile kept on disk, so it can be closed and reopened.
  const open = async () => {
    const context = await chromium.launchPersistentContext(profile, {
      ...chromiumLaunchOptions(),
      baseURL: stack().relay.url,
    })
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto('/node')
    await swarmReady(page)
    return { context, page }
  }
  let l = await open()
  try {
    await swarmReady(a.page)
    await fixedIdentity(a.page, 0xe3)
    const { info, sha } = await publishRandom(a.page, 4 * MiB)
    await rpc(a.page, 'swarm.debug', { uploadLimit: 400_000 })
    await addFree(l.page, info)
    await expect
      .poll(async () => (await swarmStatus(l.page, info.infoHash)).present, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(4)
    await l.context.close()
    // What the store had verified when the browser went (re-read after, from disk).
    l = await open()
    const resumed = await swarmStatus(l.page, info.infoHash)
    console.log(`leecher drill: ${resumed.present}/${resumed.count} slices kept across the close`)
    expect(resumed.present).toBeGreaterThanOrEqual(4)
    expect(resumed.present).toBeLessThan(resumed.count)
    await rpc(a.page, 'swarm.debug', { uploadLimit: -1 })
    const done = await waitComplete(l.page, info.infoHash, 30_000)
    // Nothing verified was fetched again: at most the missing slices and the metadata.
    expect(done.received).toBeGreaterThan(0)
    expect(done.received).toBeLessThan((done.count - resumed.present + 1) * info.content.sliceSize)
    expect(await shaThroughSw(l.page, info.infoHash)).toBe(sha)
    console.log(`leecher drill: test ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } finally {
    await l.context.close().catch(() => {})
    await a.context.close()
    await rm(profile, { recursive: true, force: true })
  }
})
