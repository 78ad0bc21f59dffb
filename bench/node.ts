/**
 * `npm run bench -- node` (issue 17, DESIGN §4.7): the personal node's budgets and gossip.
 *
 * - `upload_cap_error` and `upload_cap_mbps`: seeder A (an app page in Chromium, on a real
 *   anvil, relay and tracker, as bench/stream.ts drives them) publishes two free cards of
 *   BENCH_NODE_CAP_MIB (default 32) MiB and caps its upload with
 *   `seed.setSettings({ uploadBytesPerSec })` (BENCH_NODE_CAP_BPS, default 2,000,000). Two
 *   leecher tabs each play a DIFFERENT card (`content.play`), so they cannot trade slices and
 *   all of it is A's to send (e2e/node.spec.ts's flow). After a BENCH_NODE_CAP_WARM_S (3) s
 *   start, A's upload (`swarm.items`, `uploaded` summed) over BENCH_NODE_CAP_S (20) s is the
 *   measured rate (MB/s, 10^6 bytes); the error is |measured − configured| / configured
 *   (target ≤ 0.1). The items must outlast the window: 2 × 32 MiB at 2 MB/s is ≈ 33 s.
 * - `evict_ms`: the time to free BENCH_NODE_ITEMS (4) × BENCH_NODE_ITEM_MIB (256) MiB, where
 *   eviction runs (src/node/seed/budget.ts StorageBudget.ensureRoom → holdings.evict →
 *   swarm.remove, store remove, record delete). A publishes the items once; node B (its own
 *   browser and on-disk profile, as a user's) fetches them with `content.play`, so in B they
 *   came from a peer and are evictable (A's own copies never are: published here). Once B holds
 *   them all and none is being played, B's budget is set to exactly what it uses, and the dev
 *   hook `seed.debug({ ensureRoom })` asks it for their bytes: the node's own timing of the
 *   call (ms in the worker, eviction included; target ≤ 500). The hook answers only on a
 *   development chain; the bench checks that all the items were evicted. The store deletes an
 *   evicted item's file behind the eviction (src/node/store/sliceStore.ts, Removal):
 *   `evict_files_ms` is the time until those files are gone too, beside `evict_fs_floor_ms`,
 *   Node unlinking files of the same sizes on the same disk (the filesystem's own cost).
 *   BENCH_ROUNDS (default 3) rounds, B fetching the items again each round; medians.
 * - `availability_bytes_per_item_min` and `availability_bytes_per_1000_items_min`: not timed —
 *   arithmetic on the real announcer's output (src/node/seed/availability.ts createAnnouncer,
 *   the codec of src/shared/availability/codec.ts, a real Ed25519 signature): one minute's
 *   signed summaries of a node holding 1,000 items (each item at most once a minute, so one
 *   announce round is a minute's traffic), per item and in all. `availability_bytes_single_item_min`
 *   is a node holding one item (a whole message for it). Payload bytes a node publishes;
 *   gossipsub's framing and the fan-out to mesh peers are not counted.
 *
 * BENCH_NODE_ONLY=cap,evict,avail (comma-separated) runs only those parts. A small run:
 * `BENCH_NODE_ITEM_MIB=8 BENCH_NODE_CAP_MIB=8 BENCH_NODE_CAP_S=5 npm run bench -- node`.
 */
import { randomBytes } from 'node:crypto'
import { open, rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import {
  createAnnouncer,
  ed25519AvailabilitySigner,
  type HeldItem,
  MAX_ANNOUNCED_BITFIELD_BYTES,
} from '../src/node/seed/availability.ts'
import type { SeedUsage } from '../src/shared/protocol/methods/seed.ts'
import type { SwarmStats, SwarmTorrentInfo } from '../src/shared/protocol/methods/swarm.ts'
import { benchStack, fundTab, until } from './_app.ts'
import { appPage, createIdentity, rpc } from './_stream.ts'
import { type BenchOptions, type BenchRow, median } from './lib.ts'

const MiB = 1024 * 1024

export async function run({ signal, log }: BenchOptions): Promise<BenchRow[]> {
  const only = (process.env.BENCH_NODE_ONLY ?? '').split(',').filter(Boolean)
  const want = (part: string) => only.length === 0 || only.includes(part)
  const rows: BenchRow[] = []
  if (want('avail')) rows.push(...(await availabilityRows(log)))
  if (want('cap') || want('evict'))
    rows.push(...(await browserRows({ signal, log }, want('cap'), want('evict'))))
  return rows
}

// --- availability: the announcer's bytes a minute -------------------------------------------

/** A deterministic PRNG (mulberry32), so every run encodes the same summary. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * What a node holding `n` items announces: sizes from 10 MiB to 1 GiB at 256 KiB slices
 * (40 to 4,096 slices), 90 % complete (seed-what-I-watch keeps going to the end) and 10 % part
 * way (random slices: a bitfield up to 512 slices, a count above), half of them free and half
 * priced between 10^12 and 10^14 wei per slice (as the pay bench's 10^14).
 */
function heldItems(n: number, rand: () => number): HeldItem[] {
  const out: HeldItem[] = []
  for (let i = 0; i < n; i++) {
    const infoHash = Uint8Array.from({ length: 20 }, () => Math.floor(rand() * 256))
    const slices = 40 + Math.floor(rand() * (4096 - 40))
    const price = rand() < 0.5 ? 0n : BigInt(Math.floor(10 ** (12 + rand() * 2)))
    if (rand() < 0.9) {
      out.push({ infoHash, slices, held: slices, price })
      continue
    }
    const bitfield = new Uint8Array(Math.ceil(slices / 8))
    for (let s = 0; s < slices; s++)
      if (rand() < 0.5) bitfield[s >> 3] = (bitfield[s >> 3] as number) | (0x80 >> (s & 7))
    out.push({ infoHash, slices, bitfield, price })
  }
  return out
}

async function availabilityRows(log: (m: string) => void): Promise<BenchRow[]> {
  const signer = ed25519AvailabilitySigner(randomBytes(32))
  const rand = prng(17)
  const items = heldItems(1000, rand)
  const announcer = createAnnouncer({ signer })
  const t0 = Date.UTC(2026, 0, 1)
  const minute = await announcer.announce(items, t0)
  // The limiter's promise, checked: nothing more within the minute, all of it again after.
  const again = await announcer.announce(items, t0 + 30_000)
  const next = await announcer.announce(items, t0 + 60_000)
  const total = minute.reduce((t, m) => t + m.length, 0)
  if (again.length !== 0 || next.reduce((t, m) => t + m.length, 0) !== total)
    throw new Error('the announcer sent an item twice within a minute, or not again after it')
  const partial = items.filter((i) => i.bitfield).length
  const asBitfield = items.filter(
    (i) => i.bitfield && i.bitfield.length <= MAX_ANNOUNCED_BITFIELD_BYTES,
  ).length
  const alone = await createAnnouncer({ signer }).announce(items.slice(0, 1), t0)
  const single = (alone[0] as Uint8Array).length
  log(
    `1,000 held items (${partial} partial, ${asBitfield} of them sent as a bitfield): ${minute.length} signed messages, ${total} bytes a minute; one item alone: ${single} bytes`,
  )
  const what = 'real announcer output (signed summaries), arithmetic not timed; payload only'
  return [
    {
      name: 'availability_bytes_per_item_min',
      value: Math.round((total / items.length) * 10) / 10,
      unit: `B/item/min at 1,000 items held; ${what}`,
    },
    {
      name: 'availability_bytes_per_1000_items_min',
      value: total,
      unit: `B/min for 1,000 items held (${minute.length} messages); ${what}`,
    },
    {
      name: 'availability_bytes_single_item_min',
      value: single,
      unit: `B/min for a node holding 1 item; ${what}`,
    },
  ]
}

// --- upload cap and eviction: real app pages --------------------------------------------------

async function browserRows(
  { signal, log }: BenchOptions,
  cap: boolean,
  evict: boolean,
): Promise<BenchRow[]> {
  const capBytes = Number(process.env.BENCH_NODE_CAP_MIB ?? 32) * MiB
  const capRate = Number(process.env.BENCH_NODE_CAP_BPS ?? 2_000_000)
  const warmS = Number(process.env.BENCH_NODE_CAP_WARM_S ?? 3)
  const windowS = Number(process.env.BENCH_NODE_CAP_S ?? 20)
  const itemBytes = Number(process.env.BENCH_NODE_ITEM_MIB ?? 256) * MiB
  const itemCount = Number(process.env.BENCH_NODE_ITEMS ?? 4)
  const evictRounds = Number(process.env.BENCH_ROUNDS ?? 3)
  // Eviction deletes OPFS files, which an off-the-record context would keep in memory: every
  // tab runs on an on-disk profile (benchStack's launch).
  const { stack, dataDir, launch } = await benchStack('node', log)
  const faucet = (page: Page) => fundTab(stack, page)

  const node = async (profile: BrowserContext, tag: string): Promise<Page> => {
    const page = await appPage(profile, stack.relay.url, tag)
    await createIdentity(page)
    await faucet(page)
    return page
  }
  const [, aProfile] = await launch()
  const [bBrowser, bProfile] = await launch()
  const rows: BenchRow[] = []
  try {
    const a = await node(aProfile, 'A')

    if (cap) {
      log(`publishing 2 × ${capBytes / MiB} MiB in A`)
      const cards = [
        await publishGenerated(a, 'cap-0.bin', capBytes),
        await publishGenerated(a, 'cap-1.bin', capBytes),
      ]
      await rpc(a, 'seed.setSettings', { uploadBytesPerSec: capRate })
      // Leechers: off-the-record contexts of B's browser (small items; their speed is A's cap).
      const contexts = await Promise.all([bBrowser.newContext(), bBrowser.newContext()])
      const leechers = await Promise.all(contexts.map((c, i) => node(c, `L${i + 1}`)))
      await Promise.all(
        leechers.map((l, i) => rpc<SwarmTorrentInfo>(l, 'content.play', { cardId: cards[i] })),
      )
      const uploaded = async () =>
        (await rpc<SwarmStats[]>(a, 'swarm.items')).reduce((t, s) => t + s.uploaded, 0)
      await sleep(warmS * 1000)
      const t0 = performance.now()
      const u0 = await uploaded()
      await sleep(windowS * 1000)
      const u1 = await uploaded()
      const rate = (u1 - u0) / ((performance.now() - t0) / 1000)
      const got = await Promise.all(
        leechers.map(async (l) => (await rpc<SwarmStats[]>(l, 'swarm.items'))[0]),
      )
      log(
        `A uploaded ${((u1 - u0) / 1e6).toFixed(1)} MB in ${windowS} s: ${(rate / 1e6).toFixed(3)} MB/s under a ${(capRate / 1e6).toFixed(3)} MB/s cap; the leechers hold ${got.map((s) => `${s?.present}/${s?.count}`).join(' and ')} slices`,
      )
      if (got.some((s) => s && s.present === s.count))
        log('warning: a leecher completed within the window; use larger BENCH_NODE_CAP_MIB')
      rows.push({
        name: 'upload_cap_error',
        value: Math.round((Math.abs(rate - capRate) / capRate) * 1000) / 1000,
        unit: `|measured − configured| / configured, ${windowS} s after a ${warmS} s start, 2 leechers on different items (target ≤ 0.1)`,
      })
      rows.push({
        name: 'upload_cap_mbps',
        value: Math.round((rate / 1e6) * 1000) / 1000,
        unit: `MB/s measured under a ${(capRate / 1e6).toFixed(1)} MB/s cap`,
      })
      await Promise.all(contexts.map((c) => c.close()))
      await rpc(a, 'seed.setSettings', { uploadBytesPerSec: null })
    }
    if (signal.aborted) throw new Error('aborted')

    if (evict) {
      log(`publishing ${itemCount} × ${itemBytes / MiB} MiB in A`)
      const cards: string[] = []
      const t0 = performance.now()
      for (let i = 0; i < itemCount; i++)
        cards.push(await publishGenerated(a, `evict-${i}.bin`, itemBytes))
      log(`published in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
      const b = await node(bProfile, 'B')
      const runs: { ms: number; filesMs: number; floorMs: number }[] = []
      for (let r = 0; r < evictRounds; r++) {
        if (signal.aborted) throw new Error('aborted')
        runs.push(await evictRound({ b, cards, log, dataDir, itemBytes, round: r + 1 }))
      }
      const med = (k: 'ms' | 'filesMs' | 'floorMs') => Math.round(median(runs.map((x) => x[k])))
      const what = `${itemCount} × ${itemBytes / MiB} MiB fetched from a peer`
      rows.push(
        {
          name: 'evict_ms',
          value: med('ms'),
          unit: `ms in the node until ${what} are evicted and their room counts as free (StorageBudget.ensureRoom via the dev hook seed.debug; target ≤ 500), median of ${runs.length}`,
        },
        {
          name: 'evict_files_ms',
          value: med('filesMs'),
          unit: `ms from the same start until their OPFS files are deleted too (behind the eviction), median of ${runs.length}`,
          baseline: 'evict_fs_floor_ms',
        },
        {
          name: 'evict_fs_floor_ms',
          value: med('floorMs'),
          unit: `ms Node takes to unlink ${itemCount} files of ${itemBytes / MiB} MiB on the same disk (the filesystem's own cost), median of ${runs.length}`,
        },
      )
    }
  } finally {
    await Promise.all([aProfile.close(), bProfile.close()])
    await stack.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
  return rows
}

/**
 * Publishes a free card holding `bytes` of generated data, made in the page (a random MiB
 * repeated: the store encrypts each slice under its own nonce, so nothing repeats on disk or
 * on the wire), through the compose view's RPC; returns the card id.
 */
function publishGenerated(page: Page, name: string, bytes: number): Promise<string> {
  return page.evaluate(
    async ([name, bytes]) => {
      const chunk = new Uint8Array(Math.min(bytes as number, 1 << 20))
      for (let o = 0; o < chunk.length; o += 65_536)
        crypto.getRandomValues(chunk.subarray(o, o + 65_536))
      const parts: Uint8Array[] = []
      for (let left = bytes as number; left > 0; left -= chunk.length)
        parts.push(left >= chunk.length ? chunk : chunk.subarray(0, left))
      const { node } = (
        globalThis as unknown as {
          hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<{ cardId: string }> } } }
        }
      ).hashcard
      const r = await node.rpc.call('feed.publish', {
        jobId: crypto.randomUUID(),
        draft: { kind: 'doc', title: name, tags: [], access: { free: true } },
        file: new File(parts as BlobPart[], name as string, { type: 'application/octet-stream' }),
      })
      return r.cardId
    },
    [name, bytes] as const,
  )
}

const status = (page: Page, id: string) => rpc<SwarmStats>(page, 'swarm.status', { id })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * One eviction round: B fetches every card (again, after the previous round evicted them),
 * then is asked for their bytes with a budget of exactly what it uses; and the filesystem's
 * own cost of deleting files of the same sizes, measured right after in Node.
 */
async function evictRound(o: {
  b: Page
  cards: string[]
  log: (m: string) => void
  dataDir: string
  itemBytes: number
  round: number
}): Promise<{ ms: number; filesMs: number; floorMs: number }> {
  const { b, cards, log } = o
  const ids: string[] = []
  const t1 = performance.now()
  for (const cardId of cards)
    ids.push((await rpc<SwarmTorrentInfo>(b, 'content.play', { cardId })).itemId)
  await until(
    'B holds every item',
    async () => {
      const s = await Promise.all(ids.map((id) => status(b, id)))
      return s.every((x) => x.present === x.count)
    },
    1_800_000,
    500,
  )
  log(`round ${o.round}: B fetched them in ${((performance.now() - t1) / 1000).toFixed(1)} s`)
  // Nothing is being played: the items are evictable once the player's use of them ends.
  await until(
    "B's items are evictable",
    async () => {
      const usage = await rpc<SeedUsage>(b, 'seed.usage')
      const held = usage.items.filter((i) => ids.includes(i.id))
      return held.length === ids.length && held.every((i) => !i.own && !i.pinned && !i.playing)
    },
    60_000,
    500,
  )
  const usage = await rpc<SeedUsage>(b, 'seed.usage')
  const bytes = usage.items.filter((i) => ids.includes(i.id)).reduce((t, i) => t + i.bytes, 0)
  // Exactly full: the room asked for is the items' bytes, so all of them must go.
  await rpc(b, 'seed.setSettings', { storageBudget: { kind: 'bytes', bytes: usage.used } })
  const res = await rpc<{ ms: number; filesMs: number; evicted: string[] }>(b, 'seed.debug', {
    ensureRoom: bytes,
  })
  const missed = ids.filter((id) => !res.evicted.includes(id))
  if (missed.length > 0) throw new Error(`not evicted: ${missed.join(', ')}`)
  await rpc(b, 'seed.setSettings', { storageBudget: { kind: 'share', share: 0.25 } })
  const floorMs = await unlinkFloor(o.dataDir, ids.length, o.itemBytes)
  log(
    `round ${o.round}: freed ${(bytes / MiB).toFixed(1)} MiB (${res.evicted.length} items) in ${res.ms.toFixed(1)} ms, files deleted by ${res.filesMs.toFixed(1)} ms; Node unlinks the same sizes in ${floorMs.toFixed(1)} ms`,
  )
  return { ms: res.ms, filesMs: res.filesMs, floorMs }
}

/** Writes `count` files of `bytes` under `dir` (synced), then times unlinking them (ms). */
async function unlinkFloor(dir: string, count: number, bytes: number): Promise<number> {
  const chunk = randomBytes(4 * MiB)
  const names = Array.from({ length: count }, (_, i) => join(dir, `floor-${i}.bin`))
  for (const name of names) {
    const f = await open(name, 'w')
    for (let at = 0; at < bytes; at += chunk.length) await f.write(chunk, 0, chunk.length, at)
    await f.sync()
    await f.close()
  }
  const t0 = performance.now()
  for (const name of names) await unlink(name)
  return performance.now() - t0
}
