/**
 * Pay per slice end to end (issue 16, DESIGN §4.6): real Chromium nodes on a real anvil, the
 * relay and its tracker, webtorrent with `hc_pay` over WebRTC.
 *
 * Creator A publishes a free card (its key is free; the bandwidth is what is paid for). S
 * fetches it, then seeds it at price p while A goes offline. A stock WebTorrent client gets
 * nothing from S. L deposits, plays the card from S paying per slice, reloads halfway and goes
 * on from its stored cumulative. S cashes: on chain S receives exactly (1 − r)·n·p and A's
 * royalty is exactly r·n·p, n being the slices L took from S. Then misbehaving payers: a
 * freeloader gets at most `credit` slices from each priced seeder; a forger, a replayer and an
 * underpayer are refused and banned; a payer whose deposit runs out is choked and told why.
 * Last, S serves free and a stock WebTorrent client gets everything from it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type BrowserContext, expect, type Page, test } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { createPublicClient, http } from 'viem'
import { chequebookAbi } from '../src/node/chain/abi.ts'
import type { PayOverview } from '../src/shared/protocol/methods/pay.ts'
import type { SwarmStats, SwarmTorrentInfo } from '../src/shared/protocol/methods/swarm.ts'
import { person, publishFile } from './people.ts'
import { type NodePage, openNodes, rpc, shaThroughSw, useStack, waitForStatus } from './stack.ts'

const stack = useStack(test)
test.describe.configure({ mode: 'serial' })
test.setTimeout(240_000)

const mnemonic = (b: number) => entropyToMnemonic(new Uint8Array(16).fill(b), wordlist)
/**
 * Wei per slice: a round number, so r·n·p has no rounding to hide behind, and large enough
 * that what L owes is worth a cash-out's gas at anvil's 1 gwei (the node cashes nothing that
 * costs more gas than it pays).
 */
const PRICE = 10n ** 14n
const SLICE = 256 * 1024
/** 16 slices of random bytes (its card is free: the key travels with it, the bandwidth not). */
const DATA = randomBytes(16 * SLICE)
const DATA_SHA = createHash('sha256').update(DATA).digest('hex')

let a: NodePage
let s: NodePage
let l: NodePage
let cardId: `0x${string}`
let info: SwarmTorrentInfo
/** A static server for the stock WebTorrent pages (the app's CSP forbids foreign scripts). */
let statics: Server
let staticOrigin: string

test.beforeAll(async () => {
  const wt = readFileSync(
    join(import.meta.dirname, '..', 'node_modules/webtorrent/dist/webtorrent.min.js'),
  )
  statics = createServer((req, res) => {
    if (req.url === '/webtorrent.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' })
      res.end(wt)
    } else {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<!doctype html><title>stock webtorrent</title>')
    }
  })
  await new Promise<void>((r) => statics.listen(0, '127.0.0.1', r))
  staticOrigin = `http://127.0.0.1:${(statics.address() as AddressInfo).port}`
})
test.afterAll(() => new Promise<void>((r) => statics.close(() => r())))

const status = (page: Page, id: string) => rpc<SwarmStats>(page, 'swarm.status', { id })
const overview = async (page: Page) => {
  const o = await rpc<PayOverview | null>(page, 'pay.overview')
  if (!o) throw new Error('no pay overview: the node has no chain')
  return o
}
const line = (o: PayOverview, side: 'sent' | 'received') => o.lines.filter((l) => l.side === side)

async function waitComplete(page: Page, id: string, timeout = 120_000): Promise<SwarmStats> {
  let last: SwarmStats | undefined
  await expect
    .poll(
      async () => {
        last = await status(page, id).catch(() => undefined)
        return last ? last.present === last.count : false
      },
      { timeout, message: `download of ${id} did not complete` },
    )
    .toBe(true)
  return last as SwarmStats
}

/** Tells the page's UI about the identity restored over RPC (as the onboarding view does). */
function refreshUi(page: Page): Promise<void> {
  return page.evaluate(() =>
    (
      globalThis as unknown as { hashcard: { node: { refreshIdentity(): Promise<void> } } }
    ).hashcard.node.refreshIdentity(),
  )
}

/** A node with a fixed identity, funded, with `deposit` wei in its chequebook line. */
async function payer(n: NodePage, seed: number, deposit: bigint): Promise<void> {
  await person(n.page, mnemonic(seed))
  if (deposit === 0n) return
  await rpc(n.page, 'pay.deposit', { amount: deposit.toString() })
  await expect
    .poll(async () => BigInt((await overview(n.page)).chequebook?.balance ?? '0'), {
      timeout: 30_000,
    })
    .toBe(deposit)
}

/**
 * A stock WebTorrent client in a plain page: what it downloaded of `magnet` by the time it is
 * done, or `ms` after it started, or (with `afterPeerMs`) that long after its first peer. When
 * done, `sha` is the SHA-256 of the file it got and `hasPlain` whether the plaintext's first
 * 64 bytes occur in it. A `hostile` client sends its first peer a message announcing 4 GiB
 * instead, and reports whether that peer closed the wire within `ms`.
 */
async function stockClient(
  ctx: BrowserContext,
  magnet: string,
  ms: number,
  { afterPeerMs = ms, hostile = false } = {},
) {
  const page = await ctx.newPage()
  await page.goto(`${staticOrigin}/blank.html`)
  return page.evaluate(
    async ([origin, magnet, tracker, ms, afterPeerMs, hostile, plainHead]) => {
      const { default: WebTorrent } = await import(`${origin}/webtorrent.min.js`)
      const client = new WebTorrent()
      type Wire = { _push(b: Uint8Array): void; once(e: 'close', f: () => void): void }
      type T = {
        downloaded: number
        done: boolean
        numPeers: number
        files: { arrayBuffer(): Promise<ArrayBuffer> }[]
        on(e: 'done', f: () => void): void
        on(e: 'wire', f: (w: Wire) => void): void
      }
      const t: T = client.add(magnet, { announce: [tracker] })
      const timeout = new Promise<void>((r) => setTimeout(r, ms))
      let closedByPeer = false
      if (hostile) {
        const closed = new Promise<void>((r) =>
          t.on('wire', (w) => {
            w.once('close', () => {
              closedByPeer = true
              r()
            })
            w._push(Uint8Array.of(0xff, 0xff, 0xff, 0xf0)) // a length prefix of ~4 GiB
          }),
        )
        await Promise.race([closed, timeout])
      } else {
        const done = new Promise<void>((r) => t.on('done', () => r()))
        const served = new Promise<void>((r) => t.on('wire', () => setTimeout(r, afterPeerMs)))
        await Promise.race([done, served, timeout])
      }
      const out = {
        downloaded: t.downloaded,
        done: t.done,
        peers: t.numPeers,
        closedByPeer,
        sha: '',
        hasPlain: false,
      }
      if (t.done) {
        const bytes = new Uint8Array(await t.files[0]!.arrayBuffer())
        const hex = (b: Uint8Array) =>
          Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
        out.sha = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)))
        out.hasPlain = hex(bytes).includes(plainHead)
      }
      client.destroy()
      return out
    },
    [
      staticOrigin,
      magnet,
      stack().relay.tracker,
      ms,
      afterPeerMs,
      hostile,
      DATA.subarray(0, 64).toString('hex'),
    ] as const,
  )
}

test('S seeds at price p; a stock client gets nothing; L pays per slice across a reload; S cashes; the split is exact on chain', async ({
  browser,
}) => {
  ;[a, s] = (await openNodes(browser, stack(), 2)) as [NodePage, NodePage]
  await Promise.all([person(a.page, mnemonic(1)), person(s.page, mnemonic(2))])
  const creator = (await rpc<{ address: `0x${string}` }>(a.page, 'feed.account')).address
  cardId = await publishFile(a.page, 'data.bin', 'application/octet-stream', DATA)
  info = await rpc<SwarmTorrentInfo>(s.page, 'content.play', { cardId })
  await waitComplete(s.page, info.itemId)
  await rpc(s.page, 'seed.setItem', { itemId: info.itemId, pricePerSlice: PRICE.toString() })
  await a.context.close() // A offline: S is the only seeder

  // The chain as it stands before L pays anything (S's cash-out policy may cash any time after).
  const chain = createPublicClient({ transport: http(stack().rpcUrl) })
  const book = stack().chain.contracts.chequebook
  const payee = (await rpc<{ address: `0x${string}` }>(s.page, 'feed.account')).address
  const bps = await chain.readContract({
    address: book,
    abi: chequebookAbi,
    functionName: 'ROYALTY_BPS',
  })
  const owedBefore = await chain.readContract({
    address: book,
    abi: chequebookAbi,
    functionName: 'owed',
    args: [creator],
  })
  const balanceBefore = await chain.getBalance({ address: payee })

  // A stock WebTorrent client (no hc_pay) is served nothing by a priced seeder.
  const stockCtx = await browser.newContext()
  // Once connected to S it has 5 s: a seeder that served stock clients would have sent
  // slices by then.
  const stock = await stockClient(stockCtx, info.magnet, 30_000, { afterPeerMs: 5_000 })
  await stockCtx.close()
  expect(stock.peers).toBeGreaterThan(0)
  expect(stock.downloaded).toBe(0)

  ;[l] = (await openNodes(browser, stack(), 1)) as [NodePage]
  await payer(l, 3, 10n ** 16n)
  // Slow S down so L's reload lands halfway through.
  await rpc(s.page, 'swarm.debug', { uploadLimit: 600_000 })
  await rpc(l.page, 'content.play', { cardId })
  await expect
    .poll(async () => (await status(l.page, info.itemId)).present, { timeout: 60_000 })
    .toBeGreaterThanOrEqual(4)
  const signedBefore = BigInt(line(await overview(l.page), 'sent')[0]?.cumulative ?? '0')
  expect(signedBefore).toBeGreaterThan(0n)
  await l.page.reload()
  await waitForStatus(l.page, (st) => st.relay.state === 'connected' && !!st.relay.reservation)
  await rpc(s.page, 'swarm.debug', { uploadLimit: -1 })
  await waitComplete(l.page, info.itemId)
  expect(await shaThroughSw(l.page, cardId)).toBe(DATA_SHA)

  // Both ledgers agree: n slices at p, L's cumulative went on from before the reload.
  const sent = line(await overview(l.page), 'sent')
  expect(sent).toHaveLength(1)
  const total = BigInt(sent[0]?.cumulative ?? '0')
  expect(total).toBeGreaterThan(signedBefore)
  expect(total % PRICE).toBe(0n)
  const n = total / PRICE
  expect(n).toBeGreaterThanOrEqual(16n) // every slice came from S (a re-sent one is paid too)
  await expect
    .poll(async () => line(await overview(s.page), 'received')[0]?.cumulative, { timeout: 15_000 })
    .toBe(total.toString())
  expect((await status(s.page, info.itemId)).banned).toEqual([])

  // S cashes (its policy may already have: on anvil gas is cheap, so what L owes passes ten
  // batches' gas at once); the chain paid S (1 − r)·n·p and owes A r·n·p, to the wei.
  await rpc(s.page, 'pay.cash')
  const cashed = await chain.getContractEvents({
    address: book,
    abi: chequebookAbi,
    eventName: 'ChequeCashed',
    args: { payee },
    fromBlock: 0n,
  })
  expect(cashed.length).toBeGreaterThan(0)
  const royalty = (n * PRICE * bps) / 10_000n
  expect(cashed.reduce((t, e) => t + (e.args.amount ?? 0n), 0n)).toBe(n * PRICE)
  expect(cashed.reduce((t, e) => t + (e.args.royalty ?? 0n), 0n)).toBe(royalty)
  let gas = 0n
  for (const hash of new Set(cashed.map((e) => e.transactionHash))) {
    const r = await chain.getTransactionReceipt({ hash })
    gas += r.gasUsed * r.effectiveGasPrice
  }
  // S made no transaction but its cash-outs since `balanceBefore`.
  expect((await chain.getBalance({ address: payee })) - balanceBefore + gas).toBe(
    n * PRICE - royalty,
  )
  const owed = await chain.readContract({
    address: book,
    abi: chequebookAbi,
    functionName: 'owed',
    args: [creator],
  })
  expect(owed - owedBefore).toBe(royalty)
  // The ledger agrees with the chain after the cash.
  await expect
    .poll(async () => line(await overview(s.page), 'received')[0]?.cashed, { timeout: 15_000 })
    .toBe(total.toString())

  // The seeder's Earnings view shows it.
  await refreshUi(s.page)
  await s.page.evaluate(() => {
    history.pushState(null, '', '/earnings')
    dispatchEvent(new PopStateEvent('popstate'))
  })
  await expect(s.page.getByTestId('earnings-row')).toHaveCount(1, { timeout: 15_000 })
  // L now seeds at p too, so the misbehaving payers below meet two priced seeders.
  await rpc(l.page, 'seed.setItem', { itemId: info.itemId, pricePerSlice: PRICE.toString() })
})

test('a freeloader gets at most credit slices from each priced seeder; forged, replayed and underpaying cheques get their senders banned', async ({
  browser,
}) => {
  const modes = ['silent', 'forge', 'replay', 'underpay'] as const
  const nodes = (await openNodes(browser, stack(), modes.length)) as NodePage[]
  // They charge too, so every slice any of them gets comes from a priced seeder, which the
  // cheaters then pay with their bad cheques (free among themselves, who would judge them?).
  await Promise.all(
    nodes.map(async (n, i) => {
      await payer(n, 10 + i, 10n ** 16n)
      await rpc(n.page, 'seed.setSettings', { defaultPricePerSlice: PRICE.toString() })
    }),
  )
  const everyone = [s, l, ...nodes]
  const bannedBefore = new Set(
    (await Promise.all(everyone.map((n) => status(n.page, info.itemId).catch(() => null)))).flatMap(
      (st) => st?.banned ?? [],
    ),
  )
  // What each seeder had sent each peer so far (L's wire to S from the first test stays open).
  const sentBefore = async (seeder: Page) =>
    new Map((await status(seeder, info.itemId)).peers.map((p) => [p.peerId, p.uploaded]))
  const before = new Map([
    [s.page, await sentBefore(s.page)],
    [l.page, await sentBefore(l.page)],
  ])
  await Promise.all(
    nodes.map(async (n, i) => {
      await rpc(n.page, 'pay.debug', { misbehave: modes[i] })
      await rpc(n.page, 'content.play', { cardId })
    }),
  )
  const started = Date.now()
  // Whoever served a cheating payer refused its cheque with a typed reject and banned it on
  // this torrent: three peers are banned, by one seeder or more (the freeloader is choked,
  // not banned: it never sent a bad cheque).
  const banned = async () => {
    const all = await Promise.all(
      everyone.map((n) => status(n.page, info.itemId).catch(() => null)),
    )
    return new Set(all.flatMap((st) => st?.banned ?? []).filter((id) => !bannedBefore.has(id))).size
  }
  await expect.poll(banned, { timeout: 20_000 }).toBe(3)
  // The priced seeders S and L served none of them more than `credit` (2) slices unpaid, in
  // 10 s at least (16 slices take a fraction of that). L, complete, asks S for nothing.
  await s.page.waitForTimeout(Math.max(0, 10_000 - (Date.now() - started)))
  for (const [seeder, was] of before) {
    const st = await status(seeder, info.itemId)
    const piece = info.content.sliceSize // one torrent piece: a slice of ciphertext
    for (const peer of st.peers) {
      const sent = peer.uploaded - (was.get(peer.peerId) ?? 0)
      expect(sent).toBeLessThanOrEqual(2 * piece)
    }
  }
  await Promise.all(nodes.map((n) => n.context.close()))
})

test('a payer whose deposit runs out is choked and sees why', async ({ browser }) => {
  const [d] = (await openNodes(browser, stack(), 1)) as [NodePage]
  await payer(d, 20, 3n * PRICE)
  await rpc(d.page, 'content.play', { cardId })
  await expect
    .poll(async () => (await overview(d.page)).stopped?.reason, { timeout: 60_000 })
    .toBe('balance')
  // Each priced seeder served it only what its book covers as that seeder sees it (the
  // seeder's own uncashed cheques from it counted), so no line is above the deposit. Seeders
  // do not see each other's cheques: each may be paid up to it, and the first to cash gets it.
  const st = await status(d.page, info.itemId)
  expect(st.present).toBeLessThan(st.count)
  const sent = line(await overview(d.page), 'sent')
  expect(sent.length).toBeGreaterThan(0)
  for (const l of sent) expect(BigInt(l.cumulative)).toBeLessThanOrEqual(3n * PRICE)
  // The Wallet tells the user.
  await refreshUi(d.page)
  await d.page.evaluate(() => {
    history.pushState(null, '', '/wallet')
    dispatchEvent(new PopStateEvent('popstate'))
  })
  await expect(d.page.getByTestId('pay-stopped').first()).toBeVisible({ timeout: 15_000 })
  await d.context.close()
})

test('a stock WebTorrent client gets all the ciphertext from a free seeder; a malformed message costs the seeder that wire only', async ({
  browser,
}) => {
  await rpc(s.page, 'seed.setItem', { itemId: info.itemId, pricePerSlice: '0' })
  const ctx = await browser.newContext()
  // A stock client whose first message is malformed (DESIGN §7: stock clients may connect).
  const hostile = await stockClient(ctx, info.magnet, 30_000, { hostile: true })
  expect(hostile.closedByPeer).toBe(true)
  expect(hostile.downloaded).toBe(0)
  // S keeps seeding: the next stock client gets everything, and it is ciphertext only.
  const stock = await stockClient(ctx, info.magnet, 90_000)
  await ctx.close()
  expect(stock.done).toBe(true)
  expect(stock.downloaded).toBeGreaterThanOrEqual(DATA.length)
  expect(stock.sha).toMatch(/^[0-9a-f]{64}$/)
  expect(stock.sha).not.toBe(DATA_SHA)
  expect(stock.hasPlain).toBe(false)
  const st = await status(s.page, info.itemId)
  expect(st.present).toBe(st.count)
})
