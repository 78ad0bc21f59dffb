import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startAnvil } from '../scripts/chain/anvil.ts'
import { deployContracts } from '../scripts/chain/deploy.ts'
import { chainConfigOf } from '../scripts/stack.ts'
import { parseAppConfig } from '../src/shared/config.ts'
import { APP_CSP } from '../src/shared/csp.ts'
import { type Relay, startRelay } from './relay.ts'

let relay: Relay
let anvil: Awaited<ReturnType<typeof startAnvil>>
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relay-test-'))
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>app</title>')
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
    for (const path of ['/', '/card/0xabc', '/embed/0xabc']) {
      const res = await fetch(url(path))
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp.startsWith(`${APP_CSP}; frame-ancestors `)).toBe(true)
      expect(csp).toContain("object-src 'none'")
      expect(csp).toContain("base-uri 'none'")
      expect(/script-src [^;]*unsafe-inline/.test(csp)).toBe(false)
      expect(
        csp.endsWith(path.startsWith('/embed/') ? 'frame-ancestors *' : "frame-ancestors 'none'"),
      ).toBe(true)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('serves text assets compressed (Brotli, else gzip), never a Range', async () => {
    const js = 'export const hashcard = 1;\n'.repeat(2000)
    await writeFile(join(dir, 'app.js'), js)
    const get = (headers: Record<string, string>) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        request(url('/app.js'), { headers }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
        })
          .on('error', reject)
          .end()
      })
    const br = await get({ 'accept-encoding': 'gzip, br' })
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers.vary).toBe('accept-encoding')
    expect(Number(br.headers['content-length'])).toBe(br.body.length)
    expect(br.body.length).toBeLessThan(js.length / 10)
    expect(brotliDecompressSync(br.body).toString()).toBe(js)
    const gz = await get({ 'accept-encoding': 'gzip' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.body).toString()).toBe(js)
    const plain = await get({})
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.toString()).toBe(js)
    const ranged = await get({ 'accept-encoding': 'br', range: 'bytes=0-9' })
    expect(ranged.headers['content-encoding']).toBeUndefined()
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
    // A second drip right away is refused (rate limit), the first one stands.
    expect((await post(JSON.stringify({ address }))).status).toBe(400)
  })
})
