import { afterEach, describe, expect, it } from 'vitest'
import {
  type ContentReply,
  type ContentRequest,
  MAX_CREDIT,
} from '../../shared/protocol/content.ts'
import { encryptSlice, sliceCipher } from '../crypto/content.ts'
import { layout, MIN_SLICE_SIZE } from '../crypto/layout.ts'
import type { ItemMeta } from '../store/meta.ts'
import type { SliceStore } from '../store/types.ts'
import { type ContentSource, type Port, serveContentPort } from './portServer.ts'

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
