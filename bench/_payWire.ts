/**
 * The wire part of `npm run bench -- pay` (bench/pay.ts): real Chromium app pages on a real
 * anvil, relay and tracker (scripts/stack.ts), as bench/stream.ts drives them, with the flow of
 * e2e/pay.spec.ts. Creator A publishes a free card of random bytes; seeder S fetches it
 * (`content.play`), A goes offline, and S seeds it alone, its Earnings view open. Each leg a
 * fresh leecher L (its own browser on a new profile, a new funded identity with a deposit)
 * plays the card from S, priced at {@link PRICE} per slice or at 0, legs interleaved per round.
 *
 * Why a fresh leecher rather than a new card per round: every leg then takes the same bytes
 * from the same seeder holding the same copy, and a new L starts from nothing either way (no
 * store, no ledger line, no wires), so a paid and a free leg differ in the price alone. A new
 * card would need S to fetch it first (with A back online) and would move S's store and caches
 * between legs. The leecher's setup (launch, identity, faucet, deposit) is outside the timing.
 */
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { BrowserContext, Page } from 'playwright-core'
import type { PayOverview } from '../src/shared/protocol/methods/pay.ts'
import type { SwarmStats, SwarmTorrentInfo } from '../src/shared/protocol/methods/swarm.ts'
import { ethText } from '../src/ui/pay/format.ts'
import { benchStack, fundTab, until } from './_app.ts'
import { profileWorkers } from './_cpuProfile.ts'
import { appPage, createIdentity, rpc, serveStatic } from './_stream.ts'
import { type BenchOptions, type BenchRow, median } from './lib.ts'

const MiB = 1024 * 1024
/** Wei per slice: as e2e/pay.spec.ts, enough that a cash-out is worth its gas on anvil. */
const PRICE = 10n ** 14n

type Leg = {
  paid: boolean
  mbps: number
  /** hc_pay bytes the payer and the seeder sent during the leg, and the data bytes received. */
  payBytes: number
  dataBytes: number
  /** Last slice received (L's clock) → S's Earnings view shows the total (S's clock), ms. */
  visibleMs: number
}

export async function wireRows({ signal, log }: BenchOptions): Promise<BenchRow[]> {
  const bytes = Number(process.env.BENCH_PAY_XFER_MIB ?? 64) * MiB
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
  const server = await serveStatic({
    '/data.bin': { body: randomBytes(bytes), type: 'application/octet-stream' },
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { stack, dataDir, launch: launchBrowser } = await benchStack('pay', log)
  const launch = async (): Promise<BrowserContext> => (await launchBrowser())[1]
  const faucet = (page: Page) => fundTab(stack, page)
  const seedProfile = await launch()
  const legs: Leg[] = []
  try {
    const seedBrowser = seedProfile.browser()
    if (!seedBrowser) throw new Error('a persistent context without its browser')
    // A only publishes and serves S once: an off-the-record context of S's browser will do.
    // It reads the file to publish from the bench's static server, an origin the app's
    // narrowed connect-src does not list: A's pages skip the CSP (S and L keep it).
    const creatorCtx = await seedBrowser.newContext({ bypassCSP: true })
    const [a, s] = await Promise.all([
      appPage(creatorCtx, stack.relay.url, 'A'),
      appPage(seedProfile, stack.relay.url, 'S'),
    ])
    await Promise.all([createIdentity(a), createIdentity(s)])
    await Promise.all([faucet(a), faucet(s)])
    log(`publishing ${bytes / MiB} MiB in A`)
    const cardId = await publishCard(a, `${origin}/data.bin`)
    const info = await rpc<SwarmTorrentInfo>(s, 'content.play', { cardId })
    await until('S has the card', async () => complete(await status(s, info.itemId)), 300_000)
    await creatorCtx.close() // A offline: S is the only seeder
    log('S has the card; A is offline')
    // S's Earnings view, as its user would have it open while seeding (in-app navigation: a
    // reload would restart the node).
    await s.evaluate(() =>
      (
        globalThis as unknown as { hashcard: { node: { refreshIdentity(): Promise<void> } } }
      ).hashcard.node.refreshIdentity(),
    )
    await s.locator('header a[href="/earnings"]').click()
    await s.getByTestId('earnings-total').waitFor({ timeout: 30_000 })
    await watchEarnings(s)

    for (let r = 0; r < rounds; r++) {
      // Alternating which leg goes first, so a drift of the shared machine favours neither.
      const kinds = [true, false]
      for (const paid of r % 2 === 0 ? kinds : kinds.reverse()) {
        if (signal.aborted) throw new Error('aborted')
        const leg = await runLeg({
          s,
          info,
          cardId,
          paid,
          launch,
          faucet,
          url: stack.relay.url,
        })
        legs.push(leg)
        log(
          `round ${r + 1} ${paid ? 'paid' : 'free'}: ${leg.mbps.toFixed(2)} MB/s` +
            (paid
              ? `, ${leg.payBytes} hc_pay bytes / ${leg.dataBytes} data bytes, earnings visible ${leg.visibleMs.toFixed(0)} ms after the last slice`
              : `, ${leg.payBytes} hc_pay bytes (terms only)`),
        )
      }
    }
  } finally {
    await seedProfile.close()
    await stack.stop()
    server.close()
    await rm(dataDir, { recursive: true, force: true })
  }
  const paid = legs.filter((l) => l.paid)
  const free = legs.filter((l) => !l.paid)
  const paidMbps = median(paid.map((l) => l.mbps))
  const freeMbps = median(free.map((l) => l.mbps))
  return [
    { name: 'xfer_free_mbps', value: round2(freeMbps), unit: 'MB/s' },
    { name: 'xfer_paid_mbps', value: round2(paidMbps), unit: 'MB/s', baseline: 'xfer_free_mbps' },
    { name: 'xfer_paid_vs_free', value: round3(paidMbps / freeMbps), unit: 'x' },
    {
      name: 'pay_bytes_ratio',
      value: median(paid.map((l) => l.payBytes / l.dataBytes)),
      unit: 'ratio',
      baseline: 'pay_codec_bytes_ratio',
    },
    {
      name: 'paid_to_visible_ms',
      value: Math.round(median(paid.map((l) => l.visibleMs))),
      unit: 'ms',
    },
  ]
}

async function runLeg(o: {
  s: Page
  info: SwarmTorrentInfo
  cardId: string
  paid: boolean
  launch: () => Promise<BrowserContext>
  faucet: (page: Page) => Promise<void>
  url: string
}): Promise<Leg> {
  const { s, info } = o
  await rpc(s, 'seed.setItem', {
    itemId: info.itemId,
    pricePerSlice: o.paid ? PRICE.toString() : '0',
  })
  const earnedBefore = receivedTotal(await overview(s))
  const seederBefore = (await status(s, info.itemId)).payBytes ?? { sent: 0, received: 0 }
  const profile = await o.launch()
  try {
    const l = await appPage(profile, o.url, 'L')
    await createIdentity(l)
    await o.faucet(l)
    // Enough for every slice twice over (a re-sent slice is paid too), in both legs alike.
    const deposit = BigInt(Math.ceil(info.content.size / info.content.sliceSize) + 2) * PRICE * 2n
    await rpc(l, 'pay.deposit', { amount: deposit.toString() })
    await until(
      'the deposit',
      async () => BigInt((await overview(l)).chequebook?.balance ?? '0') === deposit,
    )
    const dir = process.env.BENCH_PAY_PROFILE
    const profiles = dir ? await Promise.all([profileWorkers(s), profileWorkers(l)]) : []
    const t = await transfer(l, o.cardId)
    for (const [k, p] of profiles.entries())
      console.log(
        await p.stop(dir as string, `${o.paid ? 'paid' : 'free'}-${k ? 'L' : 'S'}-${Date.now()}`),
      )
    const mbps = ((t.count - t.firstPresent) * info.content.sliceSize) / (t.done - t.first) / 1000
    let visibleMs = Number.NaN
    if (o.paid) {
      // What L signed in all (its last cheque goes out right after its last slice verifies),
      // then S's Earnings view showing S's earlier total plus that.
      const minimum = BigInt(t.count) * PRICE
      let signed = 0n
      await until(
        'L signed for every slice',
        async () => {
          const now = BigInt(
            (await overview(l)).lines.find((x) => x.side === 'sent')?.cumulative ?? '0',
          )
          const stable = now >= minimum && now === signed
          signed = now
          return stable
        },
        15_000,
        200,
      )
      const expected = ethText(earnedBefore + signed)
      let shown = 0
      await until(
        `S's Earnings view to show ${expected}`,
        async () => {
          shown = await s.evaluate(
            (text) =>
              (
                globalThis as unknown as { __earnings: { t: number; text: string }[] }
              ).__earnings.find((e) => e.text === text)?.t ?? 0,
            expected,
          )
          return shown > 0
        },
        30_000,
      )
      visibleMs = shown - t.done
    }
    const ls = await status(l, info.itemId)
    const sAfter = (await status(s, info.itemId)).payBytes ?? { sent: 0, received: 0 }
    return {
      paid: o.paid,
      mbps,
      payBytes: (ls.payBytes?.sent ?? 0) + (sAfter.sent - seederBefore.sent),
      dataBytes: ls.received,
      visibleMs,
    }
  } finally {
    await profile.close()
  }
}

/**
 * L plays the card and polls its swarm status in the page, every 100 ms as bench/stream.ts
 * does (every 20 ms for the last two slices, so the last one's time is close); times on the
 * shared clock (timeOrigin + now), the first slice → complete.
 */
function transfer(
  l: Page,
  cardId: string,
): Promise<{ first: number; firstPresent: number; done: number; count: number }> {
  return l.evaluate(async (cardId) => {
    const node = (
      globalThis as unknown as {
        hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<unknown> } } }
      }
    ).hashcard.node
    const clock = () => performance.timeOrigin + performance.now()
    const info = (await node.rpc.call('content.play', { cardId })) as { itemId: string }
    let first = 0
    let firstPresent = 0
    const deadline = clock() + 300_000
    for (;;) {
      const s = (await node.rpc.call('swarm.status', { id: info.itemId })) as {
        present: number
        count: number
      }
      const now = clock()
      if (!first && s.present > 0) {
        first = now
        firstPresent = s.present
      }
      if (s.present === s.count) return { first, firstPresent, done: now, count: s.count }
      if (now > deadline) throw new Error(`stalled at ${s.present}/${s.count} slices`)
      await new Promise((r) => setTimeout(r, s.count - s.present <= 2 ? 20 : 100))
    }
  }, cardId)
}

/** Records every text `earnings-total` shows, with the time (shared clock), in `__earnings`. */
function watchEarnings(s: Page): Promise<void> {
  return s.evaluate(() => {
    const log: { t: number; text: string }[] = []
    ;(globalThis as unknown as { __earnings: typeof log }).__earnings = log
    const check = () => {
      const text = document.querySelector('[data-testid="earnings-total"]')?.textContent ?? ''
      if (text !== log.at(-1)?.text)
        log.push({ t: performance.timeOrigin + performance.now(), text })
    }
    check()
    new MutationObserver(check).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    })
  })
}

/** Publishes a free card holding the file at `url` (the compose view's RPC); returns its id. */
function publishCard(page: Page, url: string): Promise<string> {
  return page.evaluate(async (url) => {
    const blob = await (await fetch(url)).blob()
    const { node } = (
      globalThis as unknown as {
        hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<{ cardId: string }> } } }
      }
    ).hashcard
    const r = await node.rpc.call('feed.publish', {
      jobId: crypto.randomUUID(),
      draft: { kind: 'doc', title: 'pay bench', tags: [], access: { free: true } },
      file: new File([blob], 'data.bin', { type: 'application/octet-stream' }),
    })
    return r.cardId
  }, url)
}

const status = (page: Page, id: string) => rpc<SwarmStats>(page, 'swarm.status', { id })
const complete = (s: SwarmStats) => s.present === s.count
async function overview(page: Page): Promise<PayOverview> {
  const o = await rpc<PayOverview | null>(page, 'pay.overview')
  if (!o) throw new Error('no pay overview: the node has no chain')
  return o
}
const receivedTotal = (o: PayOverview) =>
  o.lines.filter((x) => x.side === 'received').reduce((t, x) => t + BigInt(x.cumulative), 0n)

const round2 = (x: number) => Math.round(x * 100) / 100
const round3 = (x: number) => Math.round(x * 1000) / 1000
