import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { multiaddr } from '@multiformats/multiaddr'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import {
  announce,
  binaryId,
  createLoadPeer,
  spreadOverHosts,
  waitForRelayMesh,
} from '../load/peers.ts'
import { startAnvil } from '../scripts/chain/anvil.ts'
import { deployContracts } from '../scripts/chain/deploy.ts'
import { chainConfigOf } from '../scripts/stack.ts'
import { parseAppConfig } from '../src/shared/config.ts'
import { APP_CSP, PERMISSIONS_POLICY } from '../src/shared/csp.ts'
import { TOPICS } from '../src/shared/topics.ts'
import { type Relay, startRelay } from './relay.ts'

let relay: Relay
const APP_JS = Buffer.from('export const hashcard = () => "a card";\n'.repeat(2000))
const PNG = Buffer.from(crypto.getRandomValues(new Uint8Array(2048)))
let anvil: Awaited<ReturnType<typeof startAnvil>>
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relay-test-'))
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>app</title>')
  await mkdir(join(dir, 'assets'))
  await writeFile(join(dir, 'assets', 'main-Dx1y2Z3a.js'), APP_JS)
  await writeFile(join(dir, 'assets', 'logo-abc123.png'), PNG)
  // The manifest's icon and screenshot: unhashed names, beside the shell.
  await writeFile(join(dir, 'icon-192.png'), PNG)
  await mkdir(join(dir, 'screenshots'))
  await writeFile(join(dir, 'screenshots', 'feed-wide.webp'), PNG)
  await writeFile(join(dir, 'sw.js'), APP_JS)
  anvil = await startAnvil()
  const chain = chainConfigOf(await deployContracts({ rpcUrl: anvil.rpcUrl }), anvil.rpcUrl)
  await writeFile(join(dir, 'chain.json'), JSON.stringify(chain))
  relay = await startRelay({
    dataDir: join(dir, 'data'),
    appDir: dir,
    chainConfigFile: join(dir, 'chain.json'),
  })
})

afterAll(async () => {
  await relay?.stop()
  await anvil?.stop()
  await rm(dir, { recursive: true, force: true })
})

const url = (path: string) => new URL(path, relay.url).toString()

async function healthy(): Promise<void> {
  const res = await fetch(url('/config.json'))
  expect(res.status).toBe(200)
  parseAppConfig(await res.json())
}

describe('the relay', () => {
  it('serves a config the app accepts, with the relay and the chain', async () => {
    const config = parseAppConfig(await (await fetch(url('/config.json'))).json())
    expect(config.relay.peerId).toBe(relay.peerId)
    expect(config.relay.multiaddrs[0]).toMatch(/\/ws\/p2p\/12D3KooW/)
    expect(config.relay.tracker).toBe(relay.tracker)
    // Its TURN server, with credentials issued for this request and valid for a day.
    expect(config.relay.turn?.urls).toEqual([relay.turn])
    expect(relay.turn).toBe(`turn:127.0.0.1:${relay.ports.turn}?transport=udp`)
    const expiry = Number(config.relay.turn?.username.split(':')[0])
    expect(expiry * 1000).toBeGreaterThan(Date.now() + 23 * 3600_000)
    expect(config.relay.turn?.credential).toMatch(/^[A-Za-z0-9+/]{27}=$/)
    expect(config.chain?.chainId).toBe(31337)
    expect(config.dev).toBe(true)
  })

  it('keeps its peer id across restarts', async () => {
    const again = await startRelay({ dataDir: join(dir, 'data'), appDir: dir })
    try {
      expect(again.peerId).toBe(relay.peerId)
    } finally {
      await again.stop()
    }
  })

  it('routes app paths to index.html and refuses to leave the app folder', async () => {
    expect(await (await fetch(url('/card/0xabc'))).text()).toContain('<title>app</title>')
    expect((await fetch(url('/%2e%2e/%2e%2e/etc/passwd'))).status).toBe(404)
    expect((await fetch(url('/nope.js'))).status).toBe(404)
    expect((await fetch(url('/index.html'), { method: 'DELETE' })).status).toBe(405)
  })

  it('serves the app shell under a strict CSP; only the embed route may be framed', async () => {
    const rpc = new URL(anvil.rpcUrl)
    const connect = [
      "'self'",
      `ws://127.0.0.1:${relay.ports.p2p}`,
      `ws://127.0.0.1:${relay.ports.tracker}`,
      `http://${rpc.host}`,
    ].join(' ')
    for (const path of ['/', '/card/0xabc', '/embed/0xabc']) {
      const res = await fetch(url(path))
      const csp = res.headers.get('content-security-policy') ?? ''
      // The shell's policy, with connect-src narrowed to this relay, its tracker and the RPC.
      expect(csp.replace(/connect-src [^;]*/, '')).toMatch(
        new RegExp(`^${escapeRegExp(APP_CSP.replace(/connect-src [^;]*/, ''))}; frame-ancestors `),
      )
      expect(/connect-src ([^;]*)/.exec(csp)?.[1]).toBe(connect)
      expect(csp).toContain("object-src 'none'")
      expect(csp).toContain("base-uri 'none'")
      expect(/script-src [^;]*unsafe-inline/.test(csp)).toBe(false)
      expect(
        csp.endsWith(path.startsWith('/embed/') ? 'frame-ancestors *' : "frame-ancestors 'none'"),
      ).toBe(true)
      expect(res.headers.get('permissions-policy')).toBe(PERMISSIONS_POLICY)
      expect(res.headers.get('permissions-policy')).toContain('camera=()')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
    // Scripts carry the policy too: a worker runs under its own script's CSP.
    const js = await fetch(url('/assets/main-Dx1y2Z3a.js'))
    expect(/connect-src ([^;]*)/.exec(js.headers.get('content-security-policy') ?? '')?.[1]).toBe(
      connect,
    )
  })

  it('compresses text by Accept-Encoding and caches hashed assets for a year', async () => {
    const get = (path: string, encoding: string) =>
      new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>(
        (resolve, reject) => {
          const req = request(url(path), { headers: { 'accept-encoding': encoding } }, (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c))
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
          })
          req.on('error', reject)
          req.end()
        },
      )
    const br = await get('/assets/main-Dx1y2Z3a.js', 'gzip, deflate, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toBe('accept-encoding')
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(Number(br.headers['content-length'])).toBe(br.body.length)
    expect(br.body.length).toBeLessThan(APP_JS.length / 10)
    expect(brotliDecompressSync(br.body).equals(APP_JS)).toBe(true)
    const gz = await get('/assets/main-Dx1y2Z3a.js', 'gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.body).equals(APP_JS)).toBe(true)
    const plain = await get('/assets/main-Dx1y2Z3a.js', 'identity')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.equals(APP_JS)).toBe(true)
    // The shell and the service worker are revalidated at every visit.
    for (const path of ['/', '/index.html', '/sw.js']) {
      const res = await get(path, 'br')
      expect(res.headers['cache-control']).toBe('no-cache')
    }
    expect((await get('/sw.js', 'br')).headers['content-encoding']).toBe('br')
    // Images are compressed already: sent as they are.
    const png = await get('/assets/logo-abc123.png', 'br')
    expect(png.headers['content-encoding']).toBeUndefined()
    expect(png.body.equals(PNG)).toBe(true)
    expect(png.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    // The manifest's images: their types, as they are, revalidated (their names carry no hash).
    for (const [path, type] of [
      ['/icon-192.png', 'image/png'],
      ['/screenshots/feed-wide.webp', 'image/webp'],
    ] as const) {
      const res = await get(path, 'br')
      expect(res.headers['content-type'], path).toBe(type)
      expect(res.headers['content-encoding'], path).toBeUndefined()
      expect(res.headers['cache-control'], path).toBe('no-cache')
      expect(res.body.equals(PNG), path).toBe(true)
    }
  })

  it('drops malformed and oversized input and keeps serving', async () => {
    // Garbage on the libp2p and tracker ports, a malformed HTTP request, an oversized and
    // a broken tracker message.
    const p2pPort = relay.ports.p2p
    for (const port of [p2pPort, relay.ports.tracker, relay.ports.http]) {
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(Buffer.from('\x00\xff GARBAGE \r\n\r\n'.repeat(100)))
        })
        socket.on('error', () => resolve())
        socket.on('close', () => resolve())
        // A server may hold a garbage connection open until its own timeout: hang up after
        // a moment; what matters is that the server is still healthy afterwards.
        setTimeout(() => {
          socket.destroy()
          resolve()
        }, 500)
      })
    }
    for (const payload of [
      '{not json',
      JSON.stringify({ action: 'announce' }),
      'x'.repeat(1 << 20),
    ]) {
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(relay.tracker)
        ws.on('open', () => ws.send(payload))
        ws.on('error', () => resolve())
        ws.on('close', () => resolve())
        setTimeout(() => {
          ws.terminate()
          resolve()
        }, 500)
      })
    }
    await new Promise<void>((resolve) => {
      const req = request(url('/'), { method: 'GET', headers: { 'x-big': 'y'.repeat(64 * 1024) } })
      req.on('response', () => resolve())
      req.on('error', () => resolve())
      req.setTimeout(2000, () => req.destroy())
      req.end()
    })
    await healthy()
    // The tracker still answers a well-formed WebSocket client.
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(relay.tracker)
      ws.on('open', () => {
        ws.close()
        resolve()
      })
      ws.on('error', reject)
    })
  })

  it('funds an address from the dev faucet and refuses bad requests', async () => {
    const address = '0x000000000000000000000000000000000000bEEF'
    const post = (body: string) =>
      fetch(url('/faucet'), {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      })
    expect((await post('{broken')).status).toBe(400)
    expect((await post(JSON.stringify({ address: 'nope' }))).status).toBe(400)
    expect((await post(JSON.stringify({ address: `0x${'1'.repeat(5000)}` }))).status).toBe(413)
    const res = await post(JSON.stringify({ address }))
    expect(res.status).toBe(200)
    const client = createPublicClient({ transport: http(anvil.rpcUrl) })
    await client.waitForTransactionReceipt({
      hash: ((await res.json()) as { hash: `0x${string}` }).hash,
    })
    expect(await client.getBalance({ address })).toBe(10n ** 19n)
    // A second drip right away is refused (rate limit) with the wait; the first one stands.
    const again = await post(JSON.stringify({ address }))
    expect(again.status).toBe(429)
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await again.json()) as { error: string }).error).toMatch(/try again in \d+ s/)
  })
})

describe('the relay under tight limits', () => {
  let tight: Relay
  beforeAll(async () => {
    tight = await startRelay({
      dataDir: join(dir, 'tight'),
      appDir: dir,
      chainConfigFile: join(dir, 'chain.json'),
      limits: {
        maxConnectionsPerIp: 2,
        maxTrackerSocketsPerIp: 2,
        announceBurst: 3,
        announcesPerSecond: 0.1,
        faucetIpBurst: 2,
        faucetIpIntervalMs: 60_000,
        maxTorrents: 4,
        torrentSweepMs: 200,
        gossipMessageBurst: 5,
        gossipMessagesPerSecond: 0.01,
      },
    })
  })
  afterAll(() => tight?.stop())

  it('refuses a third libp2p connection from one IP address', async () => {
    spreadOverHosts(1) // every dial leaves from 127.0.0.2
    const peers = [
      await createLoadPeer(tight.multiaddrs[0]!),
      await createLoadPeer(tight.multiaddrs[0]!),
    ]
    try {
      await expect(createLoadPeer(tight.multiaddrs[0]!)).rejects.toThrow()
      expect(tight.stats().connectionsRefused).toBeGreaterThanOrEqual(1)
      // The two admitted peers still talk to the relay.
      const ping = await peers[0]!.dial(multiaddr(tight.multiaddrs[0]!))
      expect(ping.status).toBe('open')
    } finally {
      await Promise.all(peers.map((p) => p.stop()))
    }
  })

  it('drops a gossip flood over a peer’s budget, graylists the flooder, and still forwards honest cards', async () => {
    spreadOverHosts(3, 10)
    const [flooder, a, b] = await Promise.all([
      createLoadPeer(tight.multiaddrs[0]!, []),
      createLoadPeer(tight.multiaddrs[0]!),
      createLoadPeer(tight.multiaddrs[0]!),
    ])
    try {
      await waitForRelayMesh(a, TOPICS.cards)
      await waitForRelayMesh(b, TOPICS.cards)
      const got: string[] = []
      b.services.pubsub.addEventListener('message', (e) => {
        const text = new TextDecoder().decode(e.detail.data)
        if (text.startsWith('honest')) got.push(text)
      })
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          flooder.services.pubsub.publish(TOPICS.cards, new TextEncoder().encode(`flood ${i}`)),
        ),
      )
      const deadline = Date.now() + 15_000
      while (tight.stats().gossipDropped < 50 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100))
      // The burst of 5 went through; the rest was dropped, and the flooder is graylisted.
      expect(tight.stats()).toMatchObject({ gossipAccepted: 5, gossipDropped: 55 })
      expect(tight.stats().graylisted).toBe(1)
      for (let i = 0; i < 3; i++)
        await a.services.pubsub.publish(TOPICS.cards, new TextEncoder().encode(`honest ${i}`))
      while (got.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(got.sort()).toEqual(['honest 0', 'honest 1', 'honest 2'])
    } finally {
      await Promise.all([flooder, a, b].map((p) => p.stop()))
    }
  })

  it('refuses announces over a client’s budget and sockets over the per-IP count', async () => {
    const open = (localAddress: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(tight.tracker, { localAddress })
        ws.once('open', () => resolve(ws))
        ws.once('error', reject)
      })
    const a = await open('127.0.0.3')
    const b = await open('127.0.0.3')
    try {
      await expect(open('127.0.0.3')).rejects.toThrow(/401/)
      expect(tight.stats().trackerSocketsRefused).toBe(1)
      const replies: string[] = []
      a.on('message', (data) => replies.push(String(data)))
      const peerId = binaryId()
      for (let i = 0; i < 6; i++) a.send(announce(binaryId(), peerId))
      const deadline = Date.now() + 5_000
      while (replies.length < 4 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50))
      // Three answered; of the three refused, only the first is answered (the rest of a run of
      // refusals is dropped unread), and all three are counted.
      expect(replies).toHaveLength(4)
      const refused = replies.filter((r) => /too many announces: try again in \d+ s/.test(r))
      expect(refused).toHaveLength(1)
      expect(JSON.parse(refused[0] as string)).toMatchObject({ action: 'announce' })
      expect(tight.stats()).toMatchObject({ announcesDropped: 3, torrents: 3 })
      // Another client (from the same address) has its own budget.
      const fromB: string[] = []
      b.on('message', (data) => fromB.push(String(data)))
      b.send(announce(binaryId(), binaryId()))
      while (fromB.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(fromB[0]).not.toMatch(/failure reason/)
      expect(tight.stats().torrents).toBe(4)
      // The tracker is full: a new torrent waits until swarms empty out and are swept.
      b.send(announce(binaryId(), binaryId()))
      while (fromB.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(fromB[1]).toMatch(/too many torrents on this tracker/)
      a.terminate()
      b.terminate()
      while (tight.stats().torrents > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50))
      expect(tight.stats().torrents).toBe(0)
      const c = await open('127.0.0.3')
      const fromC: string[] = []
      c.on('message', (data) => fromC.push(String(data)))
      c.send(announce(binaryId(), binaryId()))
      while (fromC.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(fromC[0]).not.toMatch(/failure reason/)
      // Two more fit c's budget; past a burst's worth of refusals its socket is closed.
      const closed = new Promise((resolve) => c.once('close', resolve))
      const hash = binaryId()
      const id = binaryId()
      for (let i = 0; i < 2 + 4; i++) c.send(announce(hash, id))
      await closed
      expect(tight.stats().trackerSocketsClosed).toBe(1)
      expect(fromC.filter((r) => /too many announces/.test(r))).toHaveLength(1)
    } finally {
      a.terminate()
      b.terminate()
    }
  })

  it('shares one announce budget among an address’s tracker sockets and rate-limits new ones', async () => {
    const r = await startRelay({
      dataDir: join(dir, 'per-ip'),
      appDir: dir,
      limits: {
        announceBurst: 3,
        announcesPerSecond: 0.01,
        announceIpBurst: 5,
        announcesPerIpPerSecond: 0.01,
        maxTrackerSocketsPerIp: 4,
        trackerSocketsPerIpPerSecond: 0.01,
      },
    })
    const sockets: WebSocket[] = []
    try {
      const open = () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(r.tracker, { localAddress: '127.0.0.6' })
          ws.once('open', () => resolve(ws))
          ws.once('error', reject)
          sockets.push(ws)
        })
      const hash = binaryId()
      const announceAll = async (ws: WebSocket, n: number) => {
        const replies: string[] = []
        ws.on('message', (data) => replies.push(String(data)))
        const id = binaryId()
        for (let i = 0; i < n; i++) ws.send(announce(hash, id))
        const deadline = Date.now() + 5_000
        while (replies.length < Math.min(n, 3) && Date.now() < deadline)
          await new Promise((res) => setTimeout(res, 50))
        await new Promise((res) => setTimeout(res, 100))
        return replies
      }
      const d = await open()
      expect((await announceAll(d, 3)).filter((m) => /failure/.test(m))).toHaveLength(0)
      d.terminate()
      // A new socket from the same address has its own 3, but the address has only 2 left.
      const e = await open()
      const fromE = await announceAll(e, 3)
      expect(fromE.filter((m) => !/failure/.test(m))).toHaveLength(2)
      expect(fromE.filter((m) => /too many announces/.test(m))).toHaveLength(1)
      // Four new sockets from one address, then the next waits though fewer than 4 are open.
      await open()
      await open()
      await expect(open()).rejects.toThrow(/401/)
      expect(r.stats().trackerSocketsRefused).toBe(1)
    } finally {
      for (const ws of sockets) ws.terminate()
      await r.stop()
    }
  })

  it('limits the faucet per client IP and per address, with a 429 that names the wait', async () => {
    const drip = (address: string, localAddress: string) =>
      new Promise<{ status: number; retryAfter: string | undefined; body: string }>(
        (resolve, reject) => {
          const req = request(
            new URL('/faucet', tight.url),
            { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
            (res) => {
              let body = ''
              res.on('data', (c) => (body += c))
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  retryAfter: res.headers['retry-after'],
                  body,
                }),
              )
            },
          )
          req.on('error', reject)
          req.end(JSON.stringify({ address }))
        },
      )
    const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}`
    expect((await drip(addr(0xa1), '127.0.0.4')).status).toBe(200)
    expect((await drip(addr(0xa2), '127.0.0.4')).status).toBe(200)
    const byIp = await drip(addr(0xa3), '127.0.0.4')
    expect(byIp.status).toBe(429)
    expect(Number(byIp.retryAfter)).toBeGreaterThan(50)
    expect(JSON.parse(byIp.body).error).toMatch(/too many faucet requests .* try again in \d+ s/)
    // Another client may fund a new address, but not one funded moments ago.
    const byAddress = await drip(addr(0xa1), '127.0.0.5')
    expect(byAddress.status).toBe(429)
    expect(JSON.parse(byAddress.body).error).toMatch(/funded moments ago; try again in \d+ s/)
    expect((await drip(addr(0xa3), '127.0.0.5')).status).toBe(200)
    expect(tight.stats().faucetRefused).toBe(2)
    await healthyAt(tight)
  })
})

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

async function healthyAt(r: Relay): Promise<void> {
  const res = await fetch(new URL('/config.json', r.url))
  expect(res.status).toBe(200)
}
