import { afterEach, describe, expect, it } from 'vitest'
import {
  type ContentReply,
  type ContentRequest,
  MAX_CREDIT,
} from '../../shared/protocol/content.ts'
import { etagOf, packSite, SITE_MIME } from '../../shared/site/archive.ts'
import { encryptSlice, sliceCipher } from '../crypto/content.ts'
import { layout, MIN_SLICE_SIZE } from '../crypto/layout.ts'
import { siteIndexCache } from '../site/index.ts'
import type { ItemMeta } from '../store/meta.ts'
import type { SliceStore } from '../store/types.ts'
import { type ContentSource, type Port, serveContentPort, warmSite } from './portServer.ts'

const S = MIN_SLICE_SIZE
const P = S - 16
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** An item of `count` slices (the last one `tail` bytes), held in memory. */
async function item(count: number, tail = 100) {
  const size = (count - 1) * P + tail
  const cipher = await sliceCipher(new Uint8Array(32).fill(1), new Uint8Array(16).fill(2))
  const plain = new Uint8Array(size).map((_, i) => (i * 13) & 0xff)
  const l = layout(size, S)
  const cts = await Promise.all(
    Array.from({ length: l.count }, (_, i) =>
      encryptSlice(cipher, i, i === l.count - 1, plain.subarray(i * P, (i + 1) * P)),
    ),
  )
  const meta = { id: 'item', size, sliceSize: S, mime: 'video/mp4', name: 'a.mp4' } as ItemMeta
  const store = {
    item: async (id: string) => (id === 'item' ? meta : null),
    getSlice: async (_: string, i: number) => cts[i] as Uint8Array,
  } as unknown as SliceStore
  return { size, plain, cipher, store }
}

type Item = Awaited<ReturnType<typeof item>>

/** The swarm side: resolves `item` and `card`; `slice` is how a slice arrives. */
function source(it: Item, o: Partial<ContentSource> = {}): ContentSource {
  return {
    store: async () => it.store,
    resolve: async (id) => (id === 'item' || id === 'card' ? 'item' : null),
    cipherFor: async () => it.cipher,
    slice: async () => {},
    setPosition: () => {},
    ...o,
  }
}

const channels: MessageChannel[] = []
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close()
    c.port2.close()
  }
})

/** Serves `src` on one end of a real MessageChannel; the test plays the SW on the other. */
function connect(src: ContentSource) {
  const ch = new MessageChannel()
  channels.push(ch)
  serveContentPort(ch.port1 as unknown as Port, src)
  const got: ContentReply[] = []
  let wake: (() => void) | null = null
  ch.port2.onmessage = (e: MessageEvent<ContentReply>) => {
    got.push(e.data)
    wake?.()
  }
  const send = (m: ContentRequest) => ch.port2.postMessage(m)
  /** The next reply, in order. */
  const next = async (): Promise<ContentReply> => {
    for (let waited = 0; !got.length; waited++) {
      if (waited > 200) throw new Error('no reply')
      await new Promise<void>((r) => {
        wake = r
        setTimeout(r, 25)
      })
    }
    return got.shift() as ContentReply
  }
  /** The replies that arrive within `ms` (nothing more is expected). */
  const rest = async (ms = 60) => {
    await sleep(ms)
    return got.splice(0)
  }
  return { send, next, rest }
}

const chunk = (r: ContentReply) => {
  if (r.type !== 'chunk') throw new Error(`expected a chunk, got ${JSON.stringify(r)}`)
  return r
}

describe('serveContentPort (the node side of the SW content port)', () => {
  it('answers open with a head: 404, 403, 416 or the range that will stream', async () => {
    const it0 = await item(3)
    const c = connect(source(it0, { cipherFor: async (id) => (id === 'item' ? it0.cipher : null) }))
    c.send({ type: 'open', id: 1, item: 'nothing', start: 0, end: null })
    expect(await c.next()).toMatchObject({ type: 'head', id: 1, ok: false, status: 404 })
    c.send({ type: 'open', id: 2, item: 'card', start: it0.size, end: null })
    expect(await c.next()).toEqual({
      type: 'head',
      id: 2,
      ok: false,
      status: 416,
      message: 'Range not satisfiable',
      size: it0.size,
    })
    c.send({ type: 'open', id: 3, item: 'card', start: 10, end: it0.size + 99 })
    expect(await c.next()).toEqual({
      type: 'head',
      id: 3,
      ok: true,
      size: it0.size,
      mime: 'video/mp4',
      name: 'a.mp4',
      start: 10,
      end: it0.size,
    })

    const locked = connect(source(it0, { cipherFor: async () => null }))
    locked.send({ type: 'open', id: 4, item: 'item', start: 0, end: null })
    expect(await locked.next()).toMatchObject({ type: 'head', id: 4, ok: false, status: 403 })
  })

  it('sends exactly n chunks per pull, then done; a pull past the end is done', async () => {
    const it0 = await item(5)
    const c = connect(source(it0))
    c.send({ type: 'open', id: 7, item: 'item', start: 0, end: null })
    expect(await c.next()).toMatchObject({ type: 'head', ok: true })
    c.send({ type: 'pull', id: 7, n: 2 })
    const parts = [chunk(await c.next()), chunk(await c.next())]
    expect(await c.rest()).toEqual([])
    c.send({ type: 'pull', id: 7, n: 10 })
    for (let k = 0; k < 3; k++) parts.push(chunk(await c.next()))
    expect(await c.next()).toEqual({ type: 'chunk', id: 7, bytes: null, done: true })
    expect(await c.rest()).toEqual([])
    expect(parts.every((p) => p.id === 7 && !p.done)).toBe(true)
    expect(Buffer.concat(parts.map((p) => p.bytes as Uint8Array))).toEqual(Buffer.from(it0.plain))
    c.send({ type: 'pull', id: 7, n: 1 })
    expect(await c.next()).toEqual({ type: 'chunk', id: 7, bytes: null, done: true })
  })

  it(`clamps a pull's credit to [1, ${MAX_CREDIT}]`, async () => {
    const it0 = await item(MAX_CREDIT + 6, P)
    const c = connect(source(it0))
    c.send({ type: 'open', id: 1, item: 'item', start: 0, end: null })
    await c.next()
    c.send({ type: 'pull', id: 1, n: 1000 })
    for (let k = 0; k < MAX_CREDIT; k++) expect(chunk(await c.next()).done).toBe(false)
    expect(await c.rest()).toEqual([])
    for (const n of [0, -3, Number.NaN, 1.9, undefined]) {
      c.send({ type: 'pull', id: 1, ...(n === undefined ? {} : { n }) })
      expect(chunk(await c.next()).bytes?.length).toBe(P)
      expect(await c.rest(30)).toEqual([])
    }
    c.send({ type: 'pull', id: 1, n: 'x' as unknown as number })
    expect(chunk(await c.next()).bytes?.length).toBe(P)
    expect(await c.rest(30)).toEqual([])
  })

  it('cancel aborts the slice being fetched', async () => {
    const it0 = await item(3)
    const signals: AbortSignal[] = []
    const c = connect(
      source(it0, {
        slice: (_, _i, signal) =>
          new Promise<void>((_, reject) => {
            if (signal) signals.push(signal)
            signal?.addEventListener('abort', () => reject(signal.reason))
          }),
      }),
    )
    c.send({ type: 'open', id: 5, item: 'item', start: 0, end: null })
    await c.next()
    c.send({ type: 'pull', id: 5, n: 1 })
    for (let k = 0; k < 40 && !signals.length; k++) await sleep(5)
    expect(signals.length).toBeGreaterThan(0)
    expect(signals.some((s) => s.aborted)).toBe(false)
    c.send({ type: 'cancel', id: 5 })
    for (let k = 0; k < 40 && !signals.every((s) => s.aborted); k++) await sleep(5)
    expect(signals.every((s) => s.aborted)).toBe(true)
    c.send({ type: 'pull', id: 5, n: 1 })
    const replies = await c.rest()
    expect(replies.filter((r) => r.type === 'chunk' && r.bytes)).toEqual([])
    expect(replies).toContainEqual({ type: 'chunk', id: 5, bytes: null, done: true })
  })

  it('reports a failing slice as an error and drops the stream', async () => {
    const it0 = await item(4)
    const c = connect(
      source(it0, {
        slice: async (_, i) => {
          if (i === 1) throw new Error('no peer has slice 1')
        },
      }),
    )
    c.send({ type: 'open', id: 9, item: 'item', start: 0, end: null })
    await c.next()
    c.send({ type: 'pull', id: 9, n: 3 })
    expect(chunk(await c.next()).bytes).toEqual(it0.plain.subarray(0, P))
    expect(await c.next()).toEqual({ type: 'error', id: 9, message: 'no peer has slice 1' })
    expect(await c.rest()).toEqual([])
    c.send({ type: 'pull', id: 9, n: 1 })
    expect(await c.next()).toEqual({ type: 'chunk', id: 9, bytes: null, done: true })
  })
})

describe('serveContentPort: site files', () => {
  /** A site archive stored as an encrypted item of small slices, served as card `card`. */
  async function siteItem() {
    const pages: Record<string, string> = {
      'index.html': '<h1>home</h1>',
      'css/site.css': 'body{color:red}',
      'big.bin': 'x'.repeat(3 * P + 77),
      'empty.txt': '',
    }
    const files = Object.entries(pages).map(([path, body]) => ({ path, blob: new Blob([body]) }))
    const { archive, index } = await packSite(files, {
      entry: 'index.html',
      fallback: 'index.html',
    })
    const plain = new Uint8Array(await archive.arrayBuffer())
    const cipher = await sliceCipher(new Uint8Array(32).fill(1), new Uint8Array(16).fill(2))
    const l = layout(plain.length, S)
    const cts = await Promise.all(
      Array.from({ length: l.count }, (_, i) =>
        encryptSlice(cipher, i, i === l.count - 1, plain.subarray(i * P, (i + 1) * P)),
      ),
    )
    const meta = { id: 'item', size: plain.length, sliceSize: S, mime: SITE_MIME } as ItemMeta
    const store = {
      item: async (id: string) => (id === 'item' ? meta : null),
      getSlice: async (_: string, i: number) => cts[i] as Uint8Array,
    } as unknown as SliceStore
    const it0 = { size: plain.length, plain, cipher, store }
    const src = source(it0, {
      siteOf: async (id) =>
        id === 'card' ? { entry: 'index.html', fallback: 'index.html' } : null,
    })
    return { pages, index, src }
  }
  const body = async (c: ReturnType<typeof connect>, id: number) => {
    c.send({ type: 'pull', id, n: 64 })
    const parts: Uint8Array[] = []
    for (;;) {
      const r = chunk(await c.next())
      if (r.done) return Buffer.concat(parts).toString()
      parts.push(r.bytes as Uint8Array)
    }
  }

  it('serves a file of the archive by path: its type, ETag, size and exact bytes', async () => {
    const { pages, index, src } = await siteItem()
    const c = connect(src)
    c.send({ type: 'open', id: 1, item: 'card', start: 0, end: null, path: '/css/site.css' })
    const css = index.get('css/site.css')
    expect(await c.next()).toEqual({
      type: 'head',
      id: 1,
      ok: true,
      size: pages['css/site.css']?.length,
      mime: 'text/css; charset=utf-8',
      name: 'site.css',
      etag: css && etagOf(css),
      start: 0,
      end: pages['css/site.css']?.length,
    })
    expect(await body(c, 1)).toBe(pages['css/site.css'])
    // The entry at "/", a range across slices of a file, an empty file.
    c.send({ type: 'open', id: 2, item: 'card', start: 0, end: null, path: '/' })
    expect(await c.next()).toMatchObject({ ok: true, mime: 'text/html; charset=utf-8' })
    expect(await body(c, 2)).toBe(pages['index.html'])
    const big = pages['big.bin'] as string
    c.send({ type: 'open', id: 3, item: 'card', start: P - 5, end: 2 * P + 9, path: 'big.bin' })
    expect(await c.next()).toMatchObject({
      ok: true,
      size: big.length,
      start: P - 5,
      end: 2 * P + 9,
    })
    expect(await body(c, 3)).toBe(big.slice(P - 5, 2 * P + 9))
    c.send({ type: 'open', id: 4, item: 'card', start: 0, end: null, path: 'empty.txt' })
    expect(await c.next()).toMatchObject({ ok: true, size: 0 })
    expect(await body(c, 4)).toBe('')
    // An unknown path gets the fallback; past a file's end is 416.
    c.send({ type: 'open', id: 5, item: 'card', start: 0, end: null, path: '/app/route' })
    expect(await c.next()).toMatchObject({ ok: true, name: 'index.html' })
    expect(await body(c, 5)).toBe(pages['index.html'])
    c.send({ type: 'open', id: 6, item: 'card', start: 999, end: null, path: 'css/site.css' })
    expect(await c.next()).toMatchObject({ ok: false, status: 416 })
  })

  it('warmSite fetches the index and the entry document, no other file, and shares the index', async () => {
    const { index, src } = await siteItem()
    const asked: number[] = []
    const windows: [number, number | undefined][] = []
    const warm = {
      ...src,
      slice: async (_: string, i: number) => void asked.push(i),
      setPosition: (_: string, p: number, end?: number) => void windows.push([p, end]),
    }
    const sites = siteIndexCache()
    await warmSite(warm, sites, 'card', AbortSignal.timeout(5_000))
    const entry = index.get('index.html')
    const big = index.get('big.bin')
    if (!entry || !big) throw new Error('the archive lacks its files')
    const sliceOf = (b: number) => Math.floor(b / P)
    // The index's slice, then exactly the entry's: big.bin's middle slices are left alone.
    const entrySlices = new Set([sliceOf(entry.offset), sliceOf(entry.offset + entry.size - 1)])
    expect(new Set(asked)).toEqual(new Set([sliceOf(index.dataStart - 1), ...entrySlices]))
    expect(sliceOf(big.offset + P + 1)).not.toBe(sliceOf(entry.offset))
    expect(asked).not.toContain(sliceOf(big.offset + P + 1))
    // The index read's window ends where the index does: nothing past it is critical.
    expect(windows.every(([, end]) => end !== undefined && end <= index.dataStart)).toBe(true)
    // The port reads the same index: no second read of it.
    asked.length = 0
    const c = connect({ ...warm, sites })
    c.send({ type: 'open', id: 1, item: 'card', start: 0, end: null, path: '/' })
    expect(await c.next()).toMatchObject({ ok: true, name: 'index.html' })
    expect(new Set(asked)).toEqual(entrySlices)
    // Not a site, or no key: nothing is fetched.
    asked.length = 0
    await warmSite({ ...warm, siteOf: async () => null }, sites, 'card', AbortSignal.timeout(5_000))
    await warmSite(
      { ...warm, cipherFor: async () => null },
      siteIndexCache(),
      'card',
      AbortSignal.timeout(5_000),
    )
    expect(asked).toEqual([])
  })

  it('404 for a card that is no site or a path without fallback; a scoped port serves its card only', async () => {
    const { src } = await siteItem()
    const c = connect({
      ...src,
      siteOf: async (id) => (id === 'card' ? { entry: 'index.html' } : null),
    })
    c.send({ type: 'open', id: 1, item: 'card', start: 0, end: null, path: '/nope.html' })
    expect(await c.next()).toMatchObject({ ok: false, status: 404 })
    c.send({ type: 'open', id: 2, item: 'item', start: 0, end: null, path: '/' })
    expect(await c.next()).toMatchObject({ ok: false, status: 404, message: 'item is not a site.' })
    const ch = new MessageChannel()
    channels.push(ch)
    serveContentPort(ch.port1 as unknown as Port, src, 'card')
    const got = new Promise<ContentReply>((r) => {
      ch.port2.onmessage = (e) => r(e.data)
    })
    ch.port2.postMessage({ type: 'open', id: 9, item: 'other', start: 0, end: null })
    expect(await got).toMatchObject({ ok: false, status: 403 })
  })
})
