/**
 * The tracker link through a tracker restart: webtorrent's own bundle (the tracker client a
 * tab runs) against the tracker server the relay runs, stopped and started on one port.
 */
import '../../../scripts/test/webtorrentGlobals.ts'
import type { AddressInfo } from 'node:net'
import Server from 'bittorrent-tracker/server'
import { afterEach, describe, expect, it } from 'vitest'
import type WebTorrent from 'webtorrent/dist/webtorrent.min.js'
import { waitFor } from '../../../scripts/test/waitFor.ts'
import {
  keepTrackers,
  RECONNECT_BASE_MS,
  RECONNECT_JITTER_MS,
  RECONNECT_MAX_MS,
  reconnectDelay,
} from './trackerLink.ts'

type Ws = { clients: Set<{ terminate(): void }>; address(): AddressInfo }
type Swarms = Record<string, { complete: number } | undefined>

async function startServer(port = 0) {
  const server = new Server({ udp: false, http: false, ws: { clientTracking: true }, stats: false })
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
    server.listen(port, '127.0.0.1')
  })
  const ws = server.ws as Ws
  const swarms = () => (server as unknown as { torrents: Swarms }).torrents
  return {
    port: ws.address().port,
    /** Items with a seeder announced here. */
    seeded: (infoHashes: string[]) => infoHashes.filter((h) => (swarms()[h]?.complete ?? 0) > 0),
    /** As the relay process dying does: every socket goes, then the port. */
    stop: async () => {
      for (const c of ws.clients) c.terminate()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

/**
 * A tab's webtorrent client seeding `n` small items, all on one pooled tracker socket. No
 * WebRTC in Node: `wrtc: {}` lets the WebSocket tracker run, and asking for no peers makes
 * no offers (signalling is not what is tested).
 */
async function seedingClient(port: number, n: number) {
  const { default: WT } = await import('webtorrent/dist/webtorrent.min.js')
  const client: WebTorrent = new WT({
    dht: false,
    lsd: false,
    utp: false,
    webSeeds: false,
    tracker: { wrtc: {}, getAnnounceOpts: () => ({ numwant: 0 }) },
  })
  client.on('error', () => {})
  const infoHashes = await Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise<string>((resolve) =>
          (
            client as unknown as {
              seed(b: Uint8Array, o: object, cb: (t: { infoHash: string }) => void): void
            }
          ).seed(
            new Uint8Array(1000).fill(0xe0 + i),
            { name: `e0-${i}.bin`, announce: [`ws://127.0.0.1:${port}`] },
            (t) => resolve(t.infoHash),
          ),
        ),
    ),
  )
  return { client, infoHashes }
}

describe('reconnectDelay', () => {
  it('starts at a second, doubles, is capped, and adds bounded jitter', () => {
    expect(reconnectDelay(0, () => 0)).toBe(RECONNECT_BASE_MS)
    expect(reconnectDelay(1, () => 0)).toBe(2 * RECONNECT_BASE_MS)
    expect(reconnectDelay(30, () => 0)).toBe(RECONNECT_MAX_MS)
    expect(reconnectDelay(30, () => 0.999_999)).toBe(RECONNECT_MAX_MS + RECONNECT_JITTER_MS - 1)
    expect(reconnectDelay(-3, () => 0)).toBe(RECONNECT_BASE_MS)
  })
})

describe('keepTrackers through a tracker restart', () => {
  const cleanup: (() => unknown)[] = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })

  async function restart(o: { keepFromStart: boolean }) {
    const first = await startServer()
    const { client, infoHashes } = await seedingClient(first.port, 3)
    cleanup.push(() => new Promise((r) => client.destroy(() => r(undefined))))
    let stopKeeping = o.keepFromStart
      ? keepTrackers(client, { tickMs: 100, random: () => 0 })
      : undefined
    cleanup.push(() => stopKeeping?.())
    await waitFor(
      'three seeded items on the tracker',
      () => first.seeded(infoHashes).length === 3,
      {
        timeoutMs: 5_000,
      },
    )
    await first.stop()
    // Long enough for the library to see the socket close and start its own long timer.
    await new Promise((r) => setTimeout(r, 300))
    const second = await startServer(first.port)
    cleanup.push(() => second.stop())
    stopKeeping ??= keepTrackers(client, { tickMs: 100, random: () => 0 })
    const t0 = Date.now()
    await waitFor(
      'three seeded items on the restarted tracker',
      () => second.seeded(infoHashes).length === 3,
      {
        timeoutMs: 8_000,
      },
    )
    return Date.now() - t0
  }

  // No jitter: every tracker reopens in the same instant, all but one on the socket the first
  // opened and that is still connecting (where the library never announced again).
  it('every seeded item is announced to the restarted tracker within seconds', async () => {
    expect(await restart({ keepFromStart: true })).toBeLessThan(8_000)
  })

  it('trackers already waiting on the library’s long timer are moved to short ones', async () => {
    expect(await restart({ keepFromStart: false })).toBeLessThan(8_000)
  })
})
