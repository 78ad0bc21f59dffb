import { afterEach, describe, expect, it } from 'vitest'
import {
  CHUNKS_AHEAD,
  type ContentReply,
  type ContentRequest,
  DOWNLOAD_REPORT_MS,
  type DownloadProgress,
} from '../shared/protocol/content.ts'
import {
  type ContentHandlerOptions,
  connect,
  createContentHandler,
  downloadReporter,
  type NodeConn,
  parseRange,
} from './content.ts'
import { type FetchHandler, respond } from './handlers.ts'

const ORIGIN = 'https://hashcard.test'
const SECURITY = {
  'content-security-policy': 'sandbox',
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'same-origin',
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

type Head = Extract<ContentReply, { type: 'head' }>
/** A head without its id (distributed over the ok and refused heads). */
type HeadOf<T> = T extends unknown ? Omit<T, 'id'> : never
type NodeOptions = {
  /** The head `open` gets (id filled in); the default streams the whole item. */
  head?: (m: Extract<ContentRequest, { type: 'open' }>) => HeadOf<Head> | null
  /** Whether pulls are answered (false: the node never sends a chunk). */
  answer?: boolean
}

const channels: MessageChannel[] = []
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close()
    c.port2.close()
  }
})

/**
 * A fake node on the far end of a real MessageChannel, serving `data` of type `mime`: it
 * answers `open` with a head and each `pull n` with exactly n chunks of 7 bytes, then done.
 */
function fakeNode(data: Uint8Array, mime: string, o: NodeOptions = {}) {
  const ch = new MessageChannel()
  channels.push(ch)
  const seen: ContentRequest[] = []
  /** At each pull: chunks asked for and not yet sent, before it (the SW's outstanding credit). */
  const outstanding: number[] = []
  const streams = new Map<number, { at: number; end: number; owed: number }>()
  ch.port2.onmessage = (e: MessageEvent<ContentRequest>) => {
    const m = e.data
    seen.push(m)
    if (m.type === 'open') {
      const end = Math.min(data.length, m.end ?? data.length)
      const head: HeadOf<Head> = o.head?.(m) ?? {
        type: 'head',
        ok: true,
        size: data.length,
        mime,
        name: 'file.bin',
        start: m.start,
        end,
      }
      if (head.ok) streams.set(m.id, { at: head.start, end: head.end, owed: 0 })
      ch.port2.postMessage({ ...head, id: m.id } as ContentReply)
    } else if (m.type === 'pull') {
      const s = streams.get(m.id)
      if (!s) return
      outstanding.push(s.owed)
      s.owed += m.n ?? 1
      if (o.answer === false) return
      for (; s.owed > 0; s.owed--) {
        const bytes = data.slice(s.at, Math.min(s.end, s.at + 7))
        s.at += bytes.length
        const done = bytes.length === 0
        ch.port2.postMessage({
          type: 'chunk',
          id: m.id,
          bytes: done ? null : bytes,
          done,
        } satisfies ContentReply)
        if (done) {
          streams.delete(m.id)
          break
        }
      }
    }
  }
  const conn = connect(ch.port1)
  return { conn, seen, outstanding }
}

function handler(conn: NodeConn | null, o: Partial<ContentHandlerOptions> = {}) {
  return createContentHandler({
    portToNode: async () => {
      if (!conn) throw new Error('no tab')
      return conn
    },
    origin: ORIGIN,
    ...o,
  })
}

/** The handler's response, directly and as the SW's handler list answers it. */
async function get(h: FetchHandler, path: string, range?: string) {
  const url = new URL(path, ORIGIN)
  const req = () => new Request(url, range ? { headers: { range } } : {})
  const direct = await h.handle(url, req(), {} as FetchEvent)
  const listed = await respond([h], url, req(), {} as FetchEvent)
  return { direct, listed }
}

const headers = (r: Response) => Object.fromEntries(r.headers.entries())

function expectSandboxed(...responses: Response[]) {
  for (const r of responses) {
    expect(headers(r)).toMatchObject({
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'same-origin',
    })
    expect(r.headers.get('content-security-policy')?.split(',')[0]).toBe('sandbox')
  }
}

const bytes = new Uint8Array(100).map((_, i) => i)

describe('parseRange', () => {
  it.each([
    ['bytes=0-', { start: 0, end: null }],
    ['bytes=5-9', { start: 5, end: 10 }],
    [' bytes=1-2 ', { start: 1, end: 3 }],
    ['bytes=100-', { start: 100, end: null }],
  ])('%j → %j', (h, r) => expect(parseRange(h)).toEqual(r))

  it.each([null, '', 'bytes=-5', 'items=0-1', 'bytes=0-1,3-4', 'bytes=a-b', 'bytes 0-1'])(
    '%j is no range',
    (h) => expect(parseRange(h)).toBeNull(),
  )
})

describe('the /c/ content handler', () => {
  it('takes only GET /c/ of the app origin', () => {
    const h = handler(null)
    const can = (u: string, method = 'GET') => h.canHandle(new URL(u), new Request(u, { method }))
    expect(can(`${ORIGIN}/c/abc`)).toBe(true)
    expect(can(`${ORIGIN}/c/abc`, 'POST')).toBe(false)
    expect(can(`${ORIGIN}/s/abc`)).toBe(false)
    expect(can('https://elsewhere.test/c/abc')).toBe(false)
  })

  it('answers 200 with the whole content and its length when no Range is asked', async () => {
    const node = fakeNode(bytes, 'video/mp4')
    const { direct, listed } = await get(handler(node.conn), '/c/item1')
    for (const r of [direct, listed]) {
      expect(r.status).toBe(200)
      expect(headers(r)).toMatchObject({
        ...SECURITY,
        'content-type': 'video/mp4',
        'content-length': '100',
        'accept-ranges': 'bytes',
      })
      expect(r.headers.get('content-range')).toBeNull()
      expect(r.headers.get('content-disposition')).toBeNull()
      expect(new Uint8Array(await r.arrayBuffer())).toEqual(bytes)
    }
    expect(node.seen[0]).toEqual({ type: 'open', id: 1, item: 'item1', start: 0, end: null })
  })

  it('answers 206 with Content-Range and Content-Length for a Range', async () => {
    const node = fakeNode(bytes, 'audio/mpeg')
    for (const [range, start, end] of [
      ['bytes=10-', 10, 100],
      ['bytes=10-19', 10, 20],
      ['bytes=90-200', 90, 100],
    ] as const) {
      const { direct, listed } = await get(handler(node.conn), '/c/item1', range)
      for (const r of [direct, listed]) {
        expect(r.status).toBe(206)
        expect(headers(r)).toMatchObject({
          ...SECURITY,
          'content-range': `bytes ${start}-${end - 1}/100`,
          'content-length': String(end - start),
        })
        expect(new Uint8Array(await r.arrayBuffer())).toEqual(bytes.slice(start, end))
      }
    }
  })

  it('answers 416 with bytes */size', async () => {
    const node = fakeNode(bytes, 'video/mp4', {
      head: () => ({ type: 'head', ok: false, status: 416, message: 'no', size: 100 }),
    })
    const { direct, listed } = await get(handler(node.conn), '/c/item1', 'bytes=100-')
    for (const r of [direct, listed]) {
      expect(r.status).toBe(416)
      expect(headers(r)).toMatchObject({ ...SECURITY, 'content-range': 'bytes */100' })
      expect(await r.text()).toBe('')
    }
  })

  it.each([
    [403, 'No key for this content'],
    [404, 'Not found'],
  ] as const)('answers %i with a sandboxed page', async (status, title) => {
    const node = fakeNode(bytes, 'video/mp4', {
      head: () => ({ type: 'head', ok: false, status, message: 'why <b>' }),
    })
    const { direct, listed } = await get(handler(node.conn), '/c/item1')
    expectSandboxed(direct, listed)
    for (const r of [direct, listed]) {
      expect(r.status).toBe(status)
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8')
      const page = await r.text()
      expect(page).toContain(title)
      expect(page).toContain('why &#60;b&#62;')
    }
  })

  it('answers 404 for a bad address and 503 with no node, sandboxed', async () => {
    const bad = await get(handler(null), '/c/no%20such!')
    expect([bad.direct.status, bad.listed.status]).toEqual([404, 404])
    const none = await get(handler(null), '/c/item1')
    expect([none.direct.status, none.listed.status]).toEqual([503, 503])
    expectSandboxed(bad.direct, bad.listed, none.direct, none.listed)
  })

  it('serves HTML as a download of bytes, sandboxed', async () => {
    const node = fakeNode(bytes, 'text/html; charset=utf-8')
    const { direct, listed } = await get(handler(node.conn), '/c/item1')
    for (const r of [direct, listed]) {
      expect(headers(r)).toMatchObject({
        ...SECURITY,
        'content-type': 'application/octet-stream',
      })
      expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="file.bin"/)
    }
  })

  it(`asks credit for at most ${CHUNKS_AHEAD} chunks ahead of the reader`, async () => {
    const data = new Uint8Array(7 * 40).map((_, i) => i * 3)
    const node = fakeNode(data, 'video/mp4')
    const r = (await get(handler(node.conn), '/c/item1')).direct
    const reader = (r.body as ReadableStream<Uint8Array>).getReader()
    const parts: Uint8Array[] = []
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      parts.push(value)
      await sleep(1) // a slow reader: the credit must not run ahead of it
    }
    const pulls = node.seen.filter((m) => m.type === 'pull')
    expect(pulls[0]).toEqual({ type: 'pull', id: 1, n: CHUNKS_AHEAD })
    for (const p of pulls) expect(p.n).toBeGreaterThanOrEqual(1)
    for (const [k, owed] of node.outstanding.entries())
      expect(owed + (pulls[k]?.n ?? 0)).toBeLessThanOrEqual(CHUNKS_AHEAD)
    const got = new Uint8Array(parts.reduce((k, p) => k + p.length, 0))
    let o = 0
    for (const p of parts) {
      got.set(p, o)
      o += p.length
    }
    expect(got).toEqual(data)
  })

  it('posts cancel when the reader cancels', async () => {
    const node = fakeNode(bytes, 'video/mp4')
    const r = (await get(handler(node.conn), '/c/item1')).direct
    const reader = (r.body as ReadableStream<Uint8Array>).getReader()
    await reader.read()
    await reader.cancel()
    await sleep(20)
    expect(node.seen.at(-1)).toEqual({ type: 'cancel', id: 1 })
  })

  it('errors the stream when the node does not send the next chunk in time', async () => {
    const node = fakeNode(bytes, 'video/mp4', { answer: false })
    const r = (await get(handler(node.conn, { chunkWaitMs: 50 }), '/c/item1')).direct
    const reader = (r.body as ReadableStream<Uint8Array>).getReader()
    await expect(reader.read()).rejects.toThrow('the node did not answer')
  })

  it('errors the stream when the node reports an error', async () => {
    const node = fakeNode(bytes, 'video/mp4', { answer: false })
    const r = (await get(handler(node.conn), '/c/item1')).direct
    const reader = (r.body as ReadableStream<Uint8Array>).getReader()
    const read = reader.read()
    await sleep(10)
    const ch = channels.at(-1) as MessageChannel
    ch.port2.postMessage({
      type: 'error',
      id: 1,
      message: 'slice 3 is gone',
    } satisfies ContentReply)
    await expect(read).rejects.toThrow('slice 3 is gone')
  })
})

describe('downloads (?download=<token>)', () => {
  const reports = () => {
    const seen: DownloadProgress[] = []
    return { seen, progress: (r: DownloadProgress) => seen.push(r) }
  }

  it('saves as an attachment and reports the size, then the bytes sent and the end', async () => {
    const data = new Uint8Array(7 * 30).map((_, i) => i)
    const node = fakeNode(data, 'video/mp4')
    const { seen, progress } = reports()
    const url = new URL('/c/item1?download=tok-1', ORIGIN)
    const r = await handler(node.conn, { progress }).handle(url, new Request(url), {} as FetchEvent)
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="file.bin"/)
    expect(seen).toEqual([
      { type: 'download', token: 'tok-1', sent: 0, size: data.length, state: 'sending' },
    ])
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(data)
    expect(seen.at(-1)).toEqual({
      type: 'download',
      token: 'tok-1',
      sent: data.length,
      size: data.length,
      state: 'done',
    })
    // Bytes only grow, and one end is reported.
    for (let k = 1; k < seen.length; k++)
      expect(seen[k]?.sent).toBeGreaterThanOrEqual(seen[k - 1]?.sent ?? 0)
    expect(seen.filter((x) => x.state !== 'sending')).toHaveLength(1)
  })

  it('reports a refusal (403 without a key) as failed with its status', async () => {
    const node = fakeNode(bytes, 'application/zip', {
      head: () => ({ type: 'head', ok: false, status: 403, message: 'no key' }),
    })
    const { seen, progress } = reports()
    const url = new URL('/c/item1?download=t', ORIGIN)
    const r = await handler(node.conn, { progress }).handle(url, new Request(url), {} as FetchEvent)
    expect(r.status).toBe(403)
    expect(seen).toEqual([
      {
        type: 'download',
        token: 't',
        sent: 0,
        size: 0,
        state: 'failed',
        status: 403,
        message: 'no key',
      },
    ])
  })

  it('reports a cancel by the browser, and nothing for a download without a token', async () => {
    const node = fakeNode(bytes, 'video/mp4')
    const { seen, progress } = reports()
    const url = new URL('/c/item1?download=t2', ORIGIN)
    const r = await handler(node.conn, { progress }).handle(url, new Request(url), {} as FetchEvent)
    const reader = (r.body as ReadableStream<Uint8Array>).getReader()
    await reader.read()
    await reader.cancel()
    expect(seen.at(-1)?.state).toBe('cancelled')
    const plain = new URL('/c/item1?download', ORIGIN)
    const before = seen.length
    const fresh = fakeNode(bytes, 'video/mp4')
    const r2 = await handler(fresh.conn, { progress }).handle(
      plain,
      new Request(plain),
      {} as FetchEvent,
    )
    await r2.arrayBuffer()
    expect(r2.headers.get('content-disposition')).toMatch(/^attachment/)
    expect(seen).toHaveLength(before)
  })

  it(`reports bytes at most every ${DOWNLOAD_REPORT_MS} ms, and exactly one end`, () => {
    let t = 0
    const seen: DownloadProgress[] = []
    const r = downloadReporter(
      'x',
      (p) => seen.push(p),
      () => t,
    )
    r.start(1000)
    for (let k = 0; k < 10; k++) {
      t += 30
      r.bytes(100)
    }
    // Starts at 0; reports at 120 ms (400 bytes) and 240 ms (800 bytes); then the end.
    r.end('done')
    r.end('failed')
    r.bytes(5)
    expect(seen.map((p) => [p.sent, p.state])).toEqual([
      [0, 'sending'],
      [400, 'sending'],
      [800, 'sending'],
      [1000, 'done'],
    ])
  })
})
