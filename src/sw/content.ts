/**
 * `/c/<cardId | itemId | infoHash>` (DESIGN §4.3): the content handler. It asks the node
 * worker, over a MessagePort the page handed over (src/shared/protocol/content.ts), for a byte
 * range; the node fetches missing slices from the swarm, verifies and decrypts them, and the
 * response streams them as they come — pulled by credit (nothing pushed), with `cancel()`
 * passed on. Range maps to 206 with Content-Range; no key is a 403 page, no item a 404 page.
 *
 * Nothing here touches the ServiceWorkerGlobalScope: where the port comes from is injected
 * (`portToNode`, nodePort.ts in the SW), so this runs and is tested anywhere.
 */
import {
  CHUNKS_AHEAD,
  type ContentReply,
  type ContentRequest,
  DOWNLOAD_REPORT_MS,
  DOWNLOAD_TOKEN,
  type DownloadProgress,
} from '../shared/protocol/content.ts'
import { attachment, contentHeaders } from './contentHeaders.ts'
import { errorResponse, type FetchHandler } from './handlers.ts'

/** How long to wait for the node to answer `open`. */
const OPEN_WAIT_MS = 10_000
/** How long a response waits for its next chunk (the swarm may be fetching it). */
export const CHUNK_WAIT_MS = 120_000

/** A port to the node with its replies routed by request id. */
export type NodeConn = {
  port: MessagePort
  /** One-shot answers (to `open`). */
  waiting: Map<number, (m: ContentReply) => void>
  /** The replies of open responses (chunks, errors). */
  streams: Map<number, (m: ContentReply) => void>
}

/** Starts routing the replies that arrive on `port`. */
export function connect(port: MessagePort): NodeConn {
  const c: NodeConn = { port, waiting: new Map(), streams: new Map() }
  port.onmessage = (e: MessageEvent<ContentReply>) => {
    const fn = c.waiting.get(e.data?.id)
    if (fn) {
      c.waiting.delete(e.data.id)
      fn(e.data)
    } else c.streams.get(e.data?.id)?.(e.data)
  }
  port.start()
  return c
}

export type ContentHandlerOptions = {
  /** A port to the node: the current one, or (`fresh`) a new one; rejects when none comes. */
  portToNode(fresh: boolean): Promise<NodeConn>
  /** The app's origin: only its `/c/` URLs are content. */
  origin: string
  openWaitMs?: number
  chunkWaitMs?: number
  /** Where a download's progress goes (`?download=<token>`): the SW's BroadcastChannel. */
  progress?: (report: DownloadProgress) => void
}

/** Parses `Range: bytes=a-b` / `bytes=a-`; null for no or an unsupported header. */
export function parseRange(header: string | null): { start: number; end: number | null } | null {
  const m = header ? /^bytes=(\d+)-(\d*)$/.exec(header.trim()) : null
  if (!m) return null
  return { start: Number(m[1]), end: m[2] ? Number(m[2]) + 1 : null }
}

function ask(c: NodeConn, msg: ContentRequest, timeoutMs: number): Promise<ContentReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.waiting.delete(msg.id)
      reject(new Error('the node did not answer'))
    }, timeoutMs)
    c.waiting.set(msg.id, (m) => {
      clearTimeout(timer)
      resolve(m)
    })
    c.port.postMessage(msg)
  })
}

/** An `open` as the handlers ask it: the request without its type and id. */
export type OpenParams = Omit<Extract<ContentRequest, { type: 'open' }>, 'type' | 'id'>

/**
 * Opens a range with the node: on the current port, then once on a fresh one (the tab that
 * made the first may have closed). Null when no port answers.
 */
export function nodeOpener(o: Pick<ContentHandlerOptions, 'portToNode' | 'openWaitMs'>) {
  let nextId = 1
  return async (p: OpenParams) => {
    for (const fresh of [false, true]) {
      let c: NodeConn
      try {
        c = await o.portToNode(fresh)
      } catch {
        continue
      }
      const id = nextId++
      try {
        const head = await ask(c, { type: 'open', id, ...p }, o.openWaitMs ?? OPEN_WAIT_MS)
        return { c, id, head }
      } catch {
        // A dead port (the tab that made it closed): ask for a fresh one once.
      }
    }
    return null
  }
}

/**
 * The `/c/` handler of the SW's list (handlers.ts), sandboxed as content.
 * @example createContentHandler({ portToNode: nodePorts(self), origin: self.location.origin })
 */
export function createContentHandler(o: ContentHandlerOptions): FetchHandler {
  const open = nodeOpener(o)
  return {
    name: 'content',
    sandbox: 'content',
    canHandle: (url, req) =>
      req.method === 'GET' && url.origin === o.origin && url.pathname.startsWith('/c/'),
    async handle(url, request) {
      const item = decodeURIComponent(url.pathname.slice(3).split('/')[0] ?? '')
      const token = url.searchParams.get('download') ?? ''
      const report =
        o.progress && DOWNLOAD_TOKEN.test(token) ? downloadReporter(token, o.progress) : null
      /** An error page, and for a download the same failure told to the page. */
      const fail = (status: number, title: string, message: string) => {
        report?.end('failed', { status, message })
        return errorResponse(status, title, message)
      }
      if (!/^[0-9a-zA-Z_-]{1,128}$/.test(item))
        return fail(404, 'Not found', 'That is not a content address.')
      const range = parseRange(request.headers.get('range'))
      const opened = await open({ item, start: range?.start ?? 0, end: range?.end ?? null })
      if (!opened)
        return fail(503, 'The node is not running', 'Open Hashcard in a tab to play this.')
      const { c, id, head } = opened
      if (head.type === 'error') return fail(500, 'Something went wrong', head.message)
      if (head.type !== 'head') return fail(500, 'Something went wrong', 'Unexpected reply.')
      if (!head.ok) {
        if (head.status === 416) {
          report?.end('failed', { status: 416, message: 'Range not satisfiable' })
          const headers = contentHeaders()
          headers.set('content-range', `bytes */${head.size ?? 0}`)
          return new Response(null, { status: 416, headers })
        }
        const title = head.status === 403 ? 'No key for this content' : 'Not found'
        return fail(head.status, title, head.message)
      }
      report?.start(head.end - head.start)
      const body = chunkStream(c, id, o.chunkWaitMs ?? CHUNK_WAIT_MS, report ?? undefined)
      // The card's type, checked: documents and code are never served as themselves.
      const headers = contentHeaders({ mime: head.mime, name: head.name })
      // `?download`: saved as a file whatever its type (software cards' download button).
      if (url.searchParams.has('download'))
        headers.set('content-disposition', attachment(head.name))
      headers.set('accept-ranges', 'bytes')
      headers.set('content-length', String(head.end - head.start))
      if (!range) return new Response(body, { status: 200, headers })
      headers.set('content-range', `bytes ${head.start}-${head.end - 1}/${head.size}`)
      return new Response(body, { status: 206, headers })
    },
  }
}

/** What a response's stream tells about itself: bytes as they go out, and how it ended. */
export type StreamWatch = {
  bytes(n: number): void
  end(state: 'done' | 'failed' | 'cancelled', why?: { status?: number; message?: string }): void
}

/**
 * A download's progress reports (DESIGN §4.8, software cards): the size once the node
 * answered, the bytes sent at most every {@link DOWNLOAD_REPORT_MS} (a 256 KiB chunk every
 * 0.4 ms from a local store would flood the channel), and exactly one end.
 * @example const report = downloadReporter(token, (r) => channel.postMessage(r))
 */
export function downloadReporter(
  token: string,
  post: (report: DownloadProgress) => void,
  now: () => number = () => performance.now(),
): StreamWatch & { start(size: number): void } {
  let size = 0
  let sent = 0
  let last = Number.NEGATIVE_INFINITY
  let ended = false
  const send = (
    state: DownloadProgress['state'],
    why: { status?: number; message?: string } = {},
  ) => post({ type: 'download', token, sent, size, state, ...why })
  return {
    start(n) {
      size = n
      last = now()
      send('sending')
    },
    bytes(n) {
      sent += n
      const t = now()
      if (ended || t - last < DOWNLOAD_REPORT_MS) return
      last = t
      send('sending')
    },
    end(state, why) {
      if (ended) return
      ended = true
      send(state, why)
    },
  }
}

/**
 * The response body: chunks asked for by credit (up to {@link CHUNKS_AHEAD} ahead of the
 * reader, so a hop to the node is not paid per chunk), enqueued as they come.
 */
export function chunkStream(
  c: NodeConn,
  id: number,
  waitMs: number,
  watch?: StreamWatch,
): ReadableStream<Uint8Array> {
  let asked = 0
  let arrived: (() => void) | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  /** Answers a waiting pull; a paused reader stops pulling, and only a waiting pull times out. */
  const wake = () => {
    clearTimeout(timer)
    arrived?.()
    arrived = null
  }
  const end = () => {
    c.streams.delete(id)
    wake()
  }
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        c.streams.set(id, (m) => {
          if (m.type === 'error') {
            end()
            watch?.end('failed', { message: m.message })
            return controller.error(new Error(m.message))
          }
          if (m.type !== 'chunk') {
            end()
            watch?.end('failed', { message: 'unexpected reply' })
            return controller.error(new Error('unexpected reply'))
          }
          asked--
          if (m.bytes) {
            controller.enqueue(m.bytes)
            watch?.bytes(m.bytes.length)
          }
          if (m.done) {
            end()
            watch?.end('done')
            return controller.close()
          }
          wake()
        })
      },
      pull(controller) {
        const want = Math.max(1, controller.desiredSize ?? 1)
        if (asked < want) {
          c.port.postMessage({ type: 'pull', id, n: want - asked } satisfies ContentRequest)
          asked = want
        }
        clearTimeout(timer)
        timer = setTimeout(() => {
          end()
          watch?.end('failed', { message: 'the node did not answer' })
          controller.error(new Error('the node did not answer'))
        }, waitMs)
        return new Promise<void>((resolve) => {
          arrived = resolve
        })
      },
      cancel() {
        end()
        watch?.end('cancelled')
        c.port.postMessage({ type: 'cancel', id } satisfies ContentRequest)
      },
    },
    { highWaterMark: CHUNKS_AHEAD },
  )
}
