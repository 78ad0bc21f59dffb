/**
 * Privacy mode (relay only; issue 20): real Chromium tabs, the relay with its TURN server, the
 * tracker and anvil. A turns privacy mode on (the setting survives a reload, and A starts in
 * it), publishes an item; B, in the default mode, fetches it. Everything B's page receives
 * from A is captured by wrapping `RTCPeerConnection` in an init script — every remote
 * description (webtorrent's offers and answers come through the tracker, non-trickle, so their
 * candidates are in the SDP) and every added ICE candidate — and what B's libp2p learnt of A
 * is read from its peer store (identify and discovery). None of it may hold A's host address
 * (the machine's interface addresses; A and B share the machine) or an mDNS name for one, and
 * every candidate must be a relay candidate on the TURN server with its related address
 * blanked. B's own local candidates are the control: B, not private, does show host ones.
 * The transfer completes with exact bytes, and gossip still flows (through the relay).
 */
import { createHash, randomBytes } from 'node:crypto'
import { networkInterfaces } from 'node:os'
import { type BrowserContext, expect, type Page, test } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import type { SwarmStats, SwarmTorrentInfo } from '../src/shared/protocol/methods/swarm.ts'
import { TOPICS } from '../src/shared/topics.ts'
import { person, publishFile } from './people.ts'
import { type NodePage, openNodes, rpc, shaThroughSw, useStack, waitForStatus } from './stack.ts'

const stack = useStack(test)
test.setTimeout(240_000)

const mnemonic = (b: number) => entropyToMnemonic(new Uint8Array(16).fill(b), wordlist)
const DATA = randomBytes(6 * 1024 * 1024)
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

type Seen = { configs: string[]; remote: string[]; added: string[]; local: string[] }

/** Records what every peer connection of the page is configured with, is sent and gathers. */
async function captureRtc(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const seen: Seen = { configs: [], remote: [], added: [], local: [] }
    ;(globalThis as unknown as { __rtcSeen: Seen }).__rtcSeen = seen
    const Real = globalThis.RTCPeerConnection
    class Wrapped extends Real {
      constructor(config?: RTCConfiguration) {
        super(config)
        seen.configs.push(JSON.stringify(config ?? {}))
        this.addEventListener('icecandidate', (e) => {
          if (e.candidate?.candidate) seen.local.push(e.candidate.candidate)
        })
      }
      override setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
        seen.remote.push(d?.sdp ?? '')
        return super.setRemoteDescription(d)
      }
      override addIceCandidate(c?: RTCIceCandidateInit | null): Promise<void> {
        if (c?.candidate) seen.added.push(c.candidate)
        return super.addIceCandidate(c ?? undefined)
      }
    }
    globalThis.RTCPeerConnection = Wrapped
  })
}

const seenIn = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __rtcSeen: Seen }).__rtcSeen)

/** This machine's own addresses, as a host candidate would carry them (loopback excluded). */
const hostAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((i) => i && !i.internal)
  .map((i) => i!.address)

/** `candidate:… <ip> <port> typ <type> [raddr <ip> rport <port>]` → its parts. */
function parseCandidate(line: string) {
  const f = line.replace(/^a=/, '').trim().split(/\s+/)
  const at = (k: string) => f[f.indexOf(k) + 1]
  return { address: f[4], type: at('typ'), raddr: f.includes('raddr') ? at('raddr') : undefined }
}

const candidateLines = (sdp: string) =>
  sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate'))

test('privacy mode: B never receives A’s address, and the transfer completes through TURN', async ({
  browser,
}) => {
  expect(hostAddresses.length, 'the machine has a non-loopback address').toBeGreaterThan(0)
  const turnHost = new URL(stack().relay.turn.replace(/^turn:/, 'turn://')).hostname
  const [a] = (await openNodes(browser, stack(), 1, '/node', captureRtc)) as [NodePage]
  await person(a.page, mnemonic(0x90))
  // The setting, from the node page's Settings form, which says what it costs.
  await expect(a.page.getByTestId('seed-privacy-cost')).toContainText(
    'your address is hidden from peers; transfers go through the relay and are slower',
    { ignoreCase: true },
  )
  await a.page.getByTestId('seed-privacy').check()
  await a.page.getByTestId('seed-save').click()
  await expect(a.page.getByTestId('seed-saved')).toBeVisible()
  // Kept across a reload: A starts in privacy mode, before any peer sees it.
  await a.page.reload()
  await expect(a.page.getByTestId('seed-privacy')).toBeChecked()
  const statusA = await waitForStatus(
    a.page,
    (s) => s.privacy && s.relay.state === 'connected' && !!s.relay.reservation,
    { what: 'A in privacy mode with a reservation' },
  )
  expect(statusA.listenAddrs.length).toBeGreaterThan(0)
  for (const addr of statusA.listenAddrs) {
    expect(addr).toContain('/p2p-circuit')
    expect(addr).not.toContain('/webrtc')
  }
  const cardId = await publishFile(a.page, 'private.bin', 'application/octet-stream', DATA)

  const [b] = (await openNodes(browser, stack(), 1, '/node', captureRtc)) as [NodePage]
  await person(b.page, mnemonic(0x91))
  const started = Date.now()
  const info = await rpc<SwarmTorrentInfo>(b.page, 'content.play', { cardId })
  await expect
    .poll(
      async () => {
        const st = await rpc<SwarmStats>(b.page, 'swarm.status', { id: info.itemId })
        return st.present === st.count
      },
      { timeout: 150_000, message: 'B did not complete the download from A' },
    )
    .toBe(true)
  const seconds = (Date.now() - started) / 1000
  console.log(`B fetched ${DATA.length} bytes from private A in ${seconds.toFixed(1)} s`)
  expect(await shaThroughSw(b.page, cardId)).toBe(sha(DATA))

  // Gossip from private A reaches B (libp2p through the relay only).
  const hello = `from private A ${Date.now()}`
  await expect
    .poll(
      async () => {
        await rpc(a.page, 'node.publishGossip', { topic: TOPICS.chat, data: hello })
        return b.page.getByTestId('gossip').textContent()
      },
      { timeout: 30_000, intervals: [1000] },
    )
    .toContain(hello)

  // What B received over WebRTC signalling: only relay candidates on the TURN server.
  const seenB = await seenIn(b.page)
  const remoteCandidates = [...seenB.remote.flatMap(candidateLines), ...seenB.added]
  console.log('B received from A:', JSON.stringify(remoteCandidates, null, 1))
  expect(remoteCandidates.length).toBeGreaterThan(0)
  for (const line of remoteCandidates) {
    const c = parseCandidate(line)
    expect(c.type, line).toBe('relay')
    expect(c.address, line).toBe(turnHost)
    expect([undefined, '0.0.0.0', '::'], line).toContain(c.raddr)
  }
  for (const text of [...seenB.remote, ...seenB.added]) {
    for (const ip of hostAddresses) expect(text).not.toContain(ip)
    expect(text).not.toMatch(/\.local\b/)
  }
  // The control: B, not private, gathers host candidates on this machine.
  expect(seenB.local.some((l) => parseCandidate(l).type === 'host')).toBe(true)

  // A's side: every peer connection relay-only with the TURN server, every candidate relayed.
  const seenA = await seenIn(a.page)
  expect(seenA.configs.length).toBeGreaterThan(0)
  for (const config of seenA.configs) {
    const c = JSON.parse(config) as RTCConfiguration
    expect(c.iceTransportPolicy, config).toBe('relay')
    expect(JSON.stringify(c.iceServers), config).toContain(stack().relay.turn)
  }
  expect(seenA.local.length).toBeGreaterThan(0)
  for (const line of seenA.local) expect(parseCandidate(line).type, line).toBe('relay')

  // What B's libp2p knows of A: circuit addresses through the relay, no direct connection.
  const idA = statusA.peerId
  const peerAddrs = () =>
    rpc<{ addrs: string[]; connections: string[] }>(b.page, 'node.peerAddrs', { peerId: idA })
  await expect
    .poll(async () => (await peerAddrs()).addrs.length, {
      timeout: 30_000,
      message: 'B never learnt any address of A',
    })
    .toBeGreaterThan(0)
  const known = await peerAddrs()
  console.log('B’s libp2p knows A at:', JSON.stringify(known))
  for (const addr of [...known.addrs, ...known.connections]) {
    expect(addr).toContain('/p2p-circuit')
    expect(addr).not.toContain('/webrtc')
    for (const ip of hostAddresses) expect(addr).not.toContain(ip)
  }
  const statusB = await rpc<{ peers: { peerId: string; direct: boolean }[] }>(b.page, 'node.status')
  expect(statusB.peers.filter((p) => p.peerId === idA && p.direct)).toEqual([])
  await Promise.all([a.context.close(), b.context.close()])
})
