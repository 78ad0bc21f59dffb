/**
 * A packaged site's files (DESIGN §4.8), in the site's own origin: every same-origin GET but
 * `/__hc/…` (the bootstrap, from the relay) is a path of the site. The node resolves it
 * (entry, folders, SPA fallback) and streams the file as a range of the encrypted archive
 * through the one range reader (src/node/content/portServer.ts); this answers with the file's
 * type, an ETag from its SHA-256 (304 for a matching `If-None-Match`), 206 for a Range, 403
 * without a key, 404 for an unknown path. {@link respond} stamps the site sandbox on every
 * answer (src/sw/contentHeaders.ts).
 */
import {
  CHUNK_WAIT_MS,
  type ContentHandlerOptions,
  chunkStream,
  nodeOpener,
  parseRange,
} from '../content.ts'
import { securityHeaders } from '../contentHeaders.ts'
import { errorResponse, type FetchHandler } from '../handlers.ts'

/** Paths the relay serves on a site's origin (the bootstrap page, this worker). */
export const BOOT_PREFIX = '/__hc/'

export type SiteHandlerOptions = Pick<
  ContentHandlerOptions,
  'portToNode' | 'openWaitMs' | 'chunkWaitMs'
> & {
  /** The site's card id (from the origin's label). */
  cardId: string
  origin: string
  /** Told each page the site navigates to (the app's address bar shows it). */
  onNavigate?: (path: string) => void
}

/** @example createSiteHandler({ portToNode, cardId, origin: self.location.origin }) */
export function createSiteHandler(o: SiteHandlerOptions): FetchHandler {
  const open = nodeOpener(o)
  return {
    name: 'site',
    sandbox: 'site',
    canHandle: (url, req) =>
      req.method === 'GET' && url.origin === o.origin && !url.pathname.startsWith(BOOT_PREFIX),
    async handle(url, request) {
      let path: string
      try {
        path = decodeURIComponent(url.pathname)
      } catch {
        return errorResponse(400, 'Bad address', 'The path is not valid UTF-8.')
      }
      if (request.mode === 'navigate') o.onNavigate?.(`${url.pathname}${url.search}${url.hash}`)
      const range = parseRange(request.headers.get('range'))
      const opened = await open({
        item: o.cardId,
        path,
        start: range?.start ?? 0,
        end: range?.end ?? null,
      })
      if (!opened)
        return errorResponse(
          503,
          'The node is not running',
          'Open this site from Hashcard, in a tab of this browser.',
        )
      const { c, id, head } = opened
      if (head.type !== 'head' || (!head.ok && head.status === 500))
        return errorResponse(
          500,
          'Something went wrong',
          head.type === 'error' ? head.message : 'Unexpected reply.',
        )
      const headers = new Headers(securityHeaders('site'))
      headers.set('cache-control', 'no-cache')
      if (!head.ok) {
        if (head.status === 416) {
          headers.set('content-range', `bytes */${head.size ?? 0}`)
          return new Response(null, { status: 416, headers })
        }
        const title = head.status === 403 ? 'No key for this site' : 'Not found'
        return errorResponse(head.status, title, head.message)
      }
      headers.set('content-type', head.mime)
      headers.set('accept-ranges', 'bytes')
      if (head.etag) headers.set('etag', head.etag)
      if (!range && head.etag && request.headers.get('if-none-match') === head.etag) {
        c.port.postMessage({ type: 'cancel', id })
        return new Response(null, { status: 304, headers })
      }
      headers.set('content-length', String(head.end - head.start))
      const body = chunkStream(c, id, o.chunkWaitMs ?? CHUNK_WAIT_MS)
      if (!range) return new Response(body, { status: 200, headers })
      headers.set('content-range', `bytes ${head.start}-${head.end - 1}/${head.size}`)
      return new Response(body, { status: 206, headers })
    },
  }
}
