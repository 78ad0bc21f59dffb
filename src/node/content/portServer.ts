/**
 * The node's side of the Service Worker content port (src/shared/protocol/content.ts):
 * resolves an item, refuses without a key (403) or item (404), then streams the plaintext of a
 * byte range one slice per chunk asked for, through the one range reader (range.ts) — each
 * slice fetched from the swarm first when missing (its position moves the deadline window),
 * read and SHA-256-checked by the store, decrypted and trimmed. The reader reads ahead of the
 * pulls (READ_AHEAD, constants.ts), so a pull is answered with bytes already decrypted and the
 * reads overlap; memory stays a few slices a stream.
 */
import {
  type ContentReply,
  type ContentRequest,
  MAX_CREDIT,
} from '../../shared/protocol/content.ts'
import { etagOf, resolvePath, type SiteEntry } from '../../shared/site/archive.ts'
import type { SliceCipher } from '../crypto/content.ts'
import { slicesForRange } from '../crypto/layout.ts'
import { logger } from '../log.ts'
import { type SiteIndexCache, siteIndexCache } from '../site/index.ts'
import type { ItemMeta } from '../store/meta.ts'
import type { SliceStore } from '../store/types.ts'
import { decryptWith, type SliceTransform } from './decrypt.ts'
import { plaintextRange, readPlaintext, type SliceSource } from './range.ts'
import { type SwarmSlices, swarmSource } from './sources.ts'

const log = logger('content:port')

/** What the port server needs from the swarm and the store. */
export type ContentSource = SwarmSlices & {
  store: () => Promise<SliceStore>
  resolve(id: string): Promise<string | null>
  cipherFor(itemId: string): Promise<SliceCipher | null>
  /** A site card's entry and fallback (from the feed); null for an unknown or other card. */
  siteOf?(cardId: string): Promise<{ entry: string; fallback?: string | undefined } | null>
  /** Site indices, shared by every port (one is made per port when absent). */
  sites?: SiteIndexCache
}

export type Port = {
  postMessage(msg: ContentReply, transfer?: Transferable[]): void
  onmessage: ((e: MessageEvent<ContentRequest>) => void) | null
}

/** An item opened for reading: its slices through the swarm, and its decrypt step. */
type Opened = { itemId: string; item: ItemMeta; source: SliceSource; transform: SliceTransform }

/** Opens the item `id` names (a card, an item, an infoHash), or says why not. */
async function openItem(
  src: ContentSource,
  id: string,
): Promise<Opened | { status: 403 | 404; message: string }> {
  const itemId = await src.resolve(id)
  const store = await src.store()
  const item = itemId ? await store.item(itemId) : null
  if (!itemId || !item)
    return { status: 404, message: `There is no item ${id} on this node or in its swarm.` }
  const cipher = await src.cipherFor(itemId)
  if (!cipher) return { status: 403, message: 'This node holds no key for this item.' }
  return { itemId, item, source: swarmSource(src, store, item), transform: decryptWith(cipher) }
}

/** A site's decoded index, read once through the range reader and kept in `sites`. */
function siteIndex(sites: SiteIndexCache, o: Opened) {
  const read = (start: number, end: number) => readPlaintext(o.source, o.transform, { start, end })
  return sites.get(o.itemId, o.item.size, read)
}

/**
 * Fetches a site's index and entry document from the swarm before its pages ask (DESIGN §4.8):
 * `content.play` starts it as the site opens, so they arrive while the site's frame and Service
 * Worker start, and the entry's slices are waited for — fetched first (picker.ts `want`).
 * Resolves when they are stored; does nothing for a card that is not a site or has no key.
 * @example void warmSite(source, sites, cardId, AbortSignal.timeout(60_000))
 */
export async function warmSite(
  src: ContentSource,
  sites: SiteIndexCache,
  cardId: string,
  signal: AbortSignal,
): Promise<void> {
  const site = await src.siteOf?.(cardId)
  const o = site ? await openItem(src, cardId) : null
  if (!site || !o || !('itemId' in o)) return
  const entry = resolvePath(await siteIndex(sites, o), '/', site)
  const span = entry && slicesForRange(o.source.layout, entry.offset, entry.offset + entry.size)
  if (!span) return
  const waits: Promise<void>[] = []
  for (let i = span.first; i <= span.last; i++) waits.push(src.slice(o.itemId, i, signal))
  await Promise.all(waits)
}

/** A `pull`'s chunk count: a whole number in [1, MAX_CREDIT], 1 when absent or not a number. */
const credit = (n: unknown): number =>
  Math.min(MAX_CREDIT, Math.max(1, Math.floor(Number(n ?? 1)) || 1))

/**
 * Serves one port until it closes; each `open` is independent. A port with a `scope` (a site's
 * card id) serves that card only.
 */
export function serveContentPort(port: Port, src: ContentSource, scope?: string): void {
  const sites = src.sites ?? siteIndexCache()
  type Stream = {
    it: AsyncGenerator<Uint8Array<ArrayBuffer>>
    ctl: AbortController
    /** The chunks asked for, sent one after another. */
    sent: Promise<void>
    /**
     * The first chunk, asked of the reader at `open` so its read-ahead starts while the head
     * travels to the SW and the first pull travels back (a hop saved on time to first frame).
     */
    first: Promise<IteratorResult<Uint8Array<ArrayBuffer>>> | null
  }
  const open = new Map<number, Stream>()
  const reply = (msg: ContentReply, transfer: Transferable[] = []) =>
    port.postMessage(msg, transfer)
  const refuse = (id: number, status: 403 | 404 | 416, message: string, size?: number) =>
    reply({ type: 'head', id, ok: false, status, message, ...(size === undefined ? {} : { size }) })

  const onOpen = async (m: Extract<ContentRequest, { type: 'open' }>) => {
    log('open %d: %s%s from %d', m.id, m.item.slice(0, 10), m.path ?? '', m.start)
    if (scope !== undefined && m.item.toLowerCase() !== scope.toLowerCase())
      return refuse(m.id, 403, 'This port serves one site only.')
    const site = m.path === undefined ? null : ((await src.siteOf?.(m.item)) ?? null)
    if (m.path !== undefined && !site) return refuse(m.id, 404, `${m.item} is not a site.`)
    const o = await openItem(src, m.item)
    if (!('itemId' in o)) return refuse(m.id, o.status, o.message)
    const { item, source, transform } = o
    // A site's file is a range of its archive (src/shared/site/archive.ts).
    let file: SiteEntry | undefined
    if (site && m.path !== undefined) {
      file = resolvePath(await siteIndex(sites, o), m.path, site)
      if (!file) return refuse(m.id, 404, `The site has no page ${m.path}.`)
    }
    const size = file ? file.size : item.size
    const base = file ? file.offset : 0
    const start = m.start
    const end = Math.min(size, m.end ?? size)
    if (start >= size && size > 0) return refuse(m.id, 416, 'Range not satisfiable', size)
    const ctl = new AbortController()
    const it = plaintextRange(
      source,
      transform,
      { start: base + start, end: base + Math.max(start, end) },
      { signal: ctl.signal },
    )
    const first = it.next()
    first.catch(() => {}) // a failure is the first pull's to report
    open.set(m.id, { it, ctl, sent: Promise.resolve(), first })
    log('head %d: %d bytes', m.id, end - start)
    reply({
      type: 'head',
      id: m.id,
      ok: true,
      ...(file
        ? { size, mime: file.mime, name: file.path.split('/').pop(), etag: etagOf(file) }
        : { size, mime: item.mime ?? 'application/octet-stream', name: item.name }),
      start,
      end,
    })
  }

  /** Sends the stream's next chunk, or its end (the reader has read ahead: it is likely ready). */
  const sendOne = async (id: number, s: Stream) => {
    if (open.get(id) !== s) return
    const r = await (s.first ?? s.it.next())
    s.first = null
    if (r.done) {
      log('end %d', id)
      open.delete(id)
      return reply({ type: 'chunk', id, bytes: null, done: true })
    }
    reply({ type: 'chunk', id, bytes: r.value, done: false }, [r.value.buffer])
  }

  /** `n` more chunks, each sent as soon as it is ready and the ones before it were sent. */
  const onPull = (id: number, n: number) => {
    const s = open.get(id)
    if (!s) return Promise.resolve(reply({ type: 'chunk', id, bytes: null, done: true }))
    for (let k = 0; k < n; k++) s.sent = s.sent.then(() => sendOne(id, s))
    return s.sent
  }

  port.onmessage = (e) => {
    const m = e.data
    if (typeof m !== 'object' || m === null || typeof m.id !== 'number') return
    const work =
      m.type === 'open'
        ? onOpen(m)
        : m.type === 'pull'
          ? onPull(m.id, credit(m.n))
          : m.type === 'cancel'
            ? cancel(m.id)
            : Promise.resolve()
    work.catch((err: Error) => {
      log.warn('request %d: %s', m.id, err.message)
      open.get(m.id)?.ctl.abort()
      open.delete(m.id)
      reply({ type: 'error', id: m.id, message: err.message })
    })
  }

  const cancel = async (id: number) => {
    const s = open.get(id)
    open.delete(id)
    s?.ctl.abort()
    await s?.it.return(undefined)
  }
}
