/**
 * Failure drills (issue 20, Deliver 5) in real tabs over the real relay, tracker and chain:
 * the relay restarted mid-transfer, the origin's storage quota cut, a leecher's browser closed
 * and reopened on its profile, the chain (anvil) restarted from its state while tabs run. (A
 * seeder killed mid-transfer is in stream.spec.ts.) Items are small and seeders slowed so each
 * transfer drill lands mid-transfer in a few seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, expect, type Page, test } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import type { FeedCard, FeedPage } from '../src/shared/card/feed.ts'
import type { OwnedKey } from '../src/shared/protocol/methods/keys.ts'
import type { PayOverview } from '../src/shared/protocol/methods/pay.ts'
import { chromiumLaunchOptions } from './browser.ts'
import { person } from './people.ts'
import { type NodePage, openNodes, rpc, shaThroughSw, useStack } from './stack.ts'
import {
  addCardContent,
  addFree,
  fixedIdentity,
  publishRandom,
  swarmReady,
  swarmStatus,
  waitComplete,
} from './swarm.ts'

// The chain drill restarts anvil from its state.
const stack = useStack(test, { restartableChain: true })
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

test('chain restarted with its state while tabs run: the feed, the key agent and the payment ledger catch up', async ({
  browser,
}) => {
  const started = Date.now()
  const [a, b] = (await openNodes(browser, stack(), 2)) as [NodePage, NodePage]
  const pageErrors: string[] = []
  for (const n of [a, b]) n.page.on('pageerror', (err) => pageErrors.push(err.message))
  try {
    const [addressA] = await Promise.all([
      person(a.page, mnemonic(0x60)).then(async (address) => {
        await swarmReady(a.page)
        return address
      }),
      person(b.page, mnemonic(0x61)).then(() => swarmReady(b.page)),
    ])
    // Before the restart: a paid card of A's mined in B's feed, a deposit in B's ledger.
    const before = await publishPaid(a.page, 'before the restart')
    await expect.poll(() => cardStatus(b.page, before.cardId), { timeout: 30_000 }).toBe('mined')
    await rpc(b.page, 'pay.deposit', { amount: DEPOSIT.toString() })
    await expect.poll(() => chequebookBalance(b.page), { timeout: 30_000 }).toBe(DEPOSIT)
    const stopping = Date.now()
    const { blockNumber } = await stack().restartChain({
      whileDown: async () => {
        // No chain: what needs it fails with the typed error, and the sync says why.
        expect(await rpcError(b.page, 'pay.deposit', { amount: DEPOSIT.toString() })).toBe(
          'ChainUnreachableError',
        )
        expect(await rpcError(b.page, 'keys.buy', { cardId: before.cardId })).toBe(
          'ChainUnreachableError',
        )
        for (const n of [a, b])
          await expect
            .poll(async () => (await feedStatus(n.page)).error?.name, { timeout: 15_000 })
            .toBe('ChainUnreachableError')
      },
    })
    console.log(
      `chain drill: down and back in ${Date.now() - stopping} ms, at block ${blockNumber}`,
    )
    for (const n of [a, b])
      await expect
        .poll(async () => (await feedStatus(n.page)).error, { timeout: 15_000 })
        .toBeNull()

    // The feed: a card A posts after the restart reaches B's feed from the chain.
    const after = await publishPaid(a.page, 'after the restart')
    await expect.poll(() => cardStatus(b.page, after.cardId), { timeout: 30_000 }).toBe('mined')
    const feedB = await rpc<FeedPage>(b.page, 'feed.query', { lens: 'all', creator: addressA })
    expect(feedB.items.map((c) => c.id).sort()).toEqual([before.cardId, after.cardId].sort())

    // The key agent: B buys a key of the new card, A's agent delivers it, B decrypts the bytes.
    const { tokenId } = await rpc<{ tokenId: string }>(b.page, 'keys.buy', {
      cardId: after.cardId,
    })
    await expect.poll(() => keyState(b.page, tokenId), { timeout: 30_000 }).toBe('ready')
    await fetchWhole(b.page, after.cardId)
    expect(await shaThroughSw(b.page, after.cardId)).toBe(after.sha)
    // A's feed counts the purchase once, as a verified view read from the KeyMarket.
    await expect
      .poll(async () => (await cardOf(a.page, after.cardId))?.verifiedViews, { timeout: 30_000 })
      .toBe(1)

    // The ledger: a deposit after the restart adds to the one before, counted once.
    await rpc(b.page, 'pay.deposit', { amount: DEPOSIT.toString() })
    await expect.poll(() => chequebookBalance(b.page), { timeout: 30_000 }).toBe(2n * DEPOSIT)
    // A load, not in-app navigation: the page learns of the identity restored over RPC.
    await b.page.goto('/wallet')
    await expect(b.page.getByTestId('pay-balance')).toHaveText(/\b0\.02\b/)

    expect(pageErrors).toEqual([])
    console.log(`chain drill: test ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } finally {
    await Promise.all([a, b].map((n) => n.context.close()))
  }
})

/** Wei B deposits into its chequebook line, before and after the restart. */
const DEPOSIT = 10n ** 16n

const mnemonic = (byte: number) => entropyToMnemonic(new Uint8Array(16).fill(byte), wordlist)

function rpcError(page: Page, method: string, params?: unknown): Promise<string> {
  return rpc(page, method, params).then(
    () => 'no error',
    (err: Error) => err.name,
  )
}

function cardOf(page: Page, id: string): Promise<FeedCard | null> {
  return rpc<FeedCard | null>(page, 'feed.card', { id })
}

async function cardStatus(page: Page, id: string): Promise<string> {
  return (await cardOf(page, id))?.status ?? 'absent'
}

type FeedStatus = { syncedTo: number; error: { name: string; message: string } | null }
function feedStatus(page: Page): Promise<FeedStatus> {
  return rpc<FeedStatus>(page, 'feed.status')
}

async function chequebookBalance(page: Page): Promise<bigint> {
  const o = await rpc<PayOverview | null>(page, 'pay.overview')
  return BigInt(o?.chequebook?.balance ?? '0')
}

async function keyState(page: Page, tokenId: string): Promise<string> {
  const lib = await rpc<{ keys: OwnedKey[] }>(page, 'keys.library')
  return lib.keys.find((k) => k.tokenId === tokenId)?.state ?? 'gone'
}

/**
 * Publishes a paid card holding 300 kB of random bytes made in the page (posted, its key
 * registered with the creator's key agent, listed); returns its id and the plaintext's SHA-256.
 */
async function publishPaid(
  page: Page,
  title: string,
): Promise<{ cardId: `0x${string}`; sha: string }> {
  return page.evaluate(async (title) => {
    const all = new Uint8Array(300_000)
    for (let at = 0; at < all.length; at += 65_536)
      crypto.getRandomValues(all.subarray(at, Math.min(all.length, at + 65_536)))
    const h = new Uint8Array(await crypto.subtle.digest('SHA-256', all))
    const { node } = (
      globalThis as unknown as {
        hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<unknown> } } }
      }
    ).hashcard
    const r = (await node.rpc.call('feed.publish', {
      jobId: crypto.randomUUID(),
      draft: {
        kind: 'doc',
        title,
        tags: [],
        access: { price: '1000000000000000', supply: 0, royaltyBps: 0 },
      },
      file: new File([all], 'drill.bin', { type: 'application/octet-stream' }),
    })) as { cardId: `0x${string}` }
    return {
      cardId: r.cardId,
      sha: Array.from(h, (x) => x.toString(16).padStart(2, '0')).join(''),
    }
  }, title)
}

/** Fetches a card's whole ciphertext from the swarm (as Play does) and waits until it is stored. */
async function fetchWhole(page: Page, cardId: `0x${string}`): Promise<void> {
  const card = await cardOf(page, cardId)
  if (!card) throw new Error(`card ${cardId} is not in the feed`)
  const info = await addCardContent(page, card)
  await waitComplete(page, info.infoHash, 30_000)
}
