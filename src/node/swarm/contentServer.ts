/**
 * The node's side of the Service Worker content port (contentProtocol.ts): resolves an item,
 * refuses without a key (403) or item (404), then streams the plaintext of a byte range one
 * slice per chunk asked for — each slice fetched from the swarm first when missing (its position moves
 * the deadline window), read and SHA-256-checked by the store, decrypted and trimmed. Up to
 * {@link READ_AHEAD} slices are prepared ahead of the pulls, so a pull is answered with bytes
 * already decrypted and the reads overlap; memory stays a few slices a stream.
 */
import { decryptSlice, type SliceCipher } from '../crypto/content.ts'
import { layout, plainRange, slicesForRange } from '../crypto/layout.ts'
import { logger } from '../log.ts'
import type { SliceStore } from '../store/sliceStore.ts'
import type { ContentReply, ContentRequest } from './contentProtocol.ts'

const log = logger('swarm:content')

/** What the content server needs from the swarm and the store. */
export type ContentSource = {
  store: () => Promise<SliceStore>
  resolve(id: string): Promise<string | null>
  cipherFor(itemId: string): Promise<SliceCipher | null>
  slice(itemId: string, i: number, signal?: AbortSignal): Promise<void>
  setPosition(itemId: string, position: number): void
}

type Port = {
  postMessage(msg: ContentReply, transfer?: Transferable[]): void
  onmessage: ((e: MessageEvent<ContentRequest>) => void) | null
}

/**
 * Slices a stream prepares at once. Reading a slice is a few hops (to the I/O worker, to
 * WebCrypto's SHA-256 and AES-GCM); with several in flight those overlap.
 */
export const READ_AHEAD = 4

/**
 * Plaintext of [start, end) of an item, one part per slice, in order, fetched as needed; up to
 * `ahead` slices are read and decrypted at once. The deadline window follows the first slice
 * not yet handed out.
 */
export async function* streamRange(
  src: ContentSource,
  itemId: string,
  cipher: SliceCipher,
  start: number,
  end: number,
  signal: AbortSignal,
  ahead = READ_AHEAD,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const store = await src.store()
  const item = await store.item(itemId)
  if (!item) return
  const l = layout(item.size, item.sliceSize)
  const span = slicesForRange(l, start, end)
  if (!span) return
  const part = async (i: number) => {
    await src.slice(itemId, i, signal)
    const pt = await decryptSlice(
      cipher,
      i,
      i === l.count - 1,
      await store.getSlice(itemId, i, { signal }),
    )
    const r = plainRange(l, i)
    const from = Math.max(0, start - r.start)
    const to = Math.min(pt.length, end - r.start)
    return from === 0 && to === pt.length ? pt : pt.slice(from, to)
  }
  const pending: Promise<Uint8Array<ArrayBuffer>>[] = []
  let next = span.first
  for (let i = span.first; i <= span.last; i++) {
    src.setPosition(itemId, Math.max(plainRange(l, i).start, start))
    while (next <= span.last && next < i + ahead) {
      const p = part(next++)
      p.catch(() => {}) // reported when its turn comes, not before
      pending.push(p)
    }
    yield await (pending.shift() as Promise<Uint8Array<ArrayBuffer>>)
  }
}

/** The most chunks one `pull` may ask for (a bound on what a confused caller can queue). */
const MAX_CREDIT = 64

/** A `pull`'s chunk count: a whole number in [1, MAX_CREDIT], 1 when absent or not a number. */
const credit = (n: unknown): number =>
  Math.min(MAX_CREDIT, Math.max(1, Math.floor(Number(n ?? 1)) || 1))

/** Serves one port until it closes; each `open` is independent. */
export function serveContentPort(port: Port, src: ContentSource): void {
  type Next = Promise<IteratorResult<Uint8Array<ArrayBuffer>, void>>
  type Stream = {
    it: AsyncGenerator<Uint8Array<ArrayBuffer>>
    ctl: AbortController
    ahead: Next | null
    /** The chunks asked for, sent one after another. */
    sent: Promise<void>
  }
  const open = new Map<number, Stream>()
  const reply = (msg: ContentReply, transfer: Transferable[] = []) =>
    port.postMessage(msg, transfer)

  const onOpen = async (m: Extract<ContentRequest, { t: 'open' }>) => {
    const itemId = await src.resolve(m.id)
    const item = itemId ? await (await src.store()).item(itemId) : null
    if (!itemId || !item)
      return reply({
        t: 'head',
        req: m.req,
        ok: false,
        status: 404,
        message: `There is no item ${m.id} on this node or in its swarm.`,
      })
    const cipher = await src.cipherFor(itemId)
    if (!cipher)
      return reply({
        t: 'head',
        req: m.req,
        ok: false,
        status: 403,
        message: 'This node holds no key for this item.',
      })
    const start = m.start
    const end = Math.min(item.size, m.end ?? item.size)
    if (start >= item.size && item.size > 0)
      return reply({
        t: 'head',
        req: m.req,
        ok: false,
        status: 416,
        message: 'Range not satisfiable',
        size: item.size,
      })
    const ctl = new AbortController()
    const it = streamRange(src, itemId, cipher, start, end, ctl.signal)
    open.set(m.req, { it, ctl, ahead: prepare(it), sent: Promise.resolve() })
    reply({
      t: 'head',
      req: m.req,
      ok: true,
      size: item.size,
      mime: item.mime ?? 'application/octet-stream',
      name: item.name,
      start,
      end,
    })
  }

  /** Sends the stream's next chunk, or its end. */
  const sendOne = async (req: number, s: Stream) => {
    if (open.get(req) !== s) return
    const r = await (s.ahead ?? s.it.next())
    s.ahead = null
    if (r.done) {
      open.delete(req)
      return reply({ t: 'chunk', req, bytes: null, done: true })
    }
    reply({ t: 'chunk', req, bytes: r.value, done: false }, [r.value.buffer])
    if (open.get(req) === s) s.ahead = prepare(s.it)
  }

  /** `n` more chunks, each sent as soon as it is ready and the ones before it were sent. */
  const onPull = (req: number, n: number) => {
    const s = open.get(req)
    if (!s) return Promise.resolve(reply({ t: 'chunk', req, bytes: null, done: true }))
    for (let k = 0; k < n; k++) s.sent = s.sent.then(() => sendOne(req, s))
    return s.sent
  }

  /** Starts the next slice; its failure is reported by the pull that awaits it. */
  const prepare = (it: AsyncGenerator<Uint8Array<ArrayBuffer>>): Next => {
    const next = it.next()
    next.catch(() => {})
    return next
  }

  port.onmessage = (e) => {
    const m = e.data
    if (typeof m !== 'object' || m === null || typeof m.req !== 'number') return
    const work =
      m.t === 'open'
        ? onOpen(m)
        : m.t === 'pull'
          ? onPull(m.req, credit(m.n))
          : m.t === 'cancel'
            ? cancel(m.req)
            : Promise.resolve()
    work.catch((err: Error) => {
      log.warn('request %d: %s', m.req, err.message)
      open.get(m.req)?.ctl.abort()
      open.delete(m.req)
      reply({ t: 'error', req: m.req, message: err.message })
    })
  }

  const cancel = async (req: number) => {
    const s = open.get(req)
    open.delete(req)
    s?.ctl.abort()
    await s?.it.return(undefined)
  }
}
