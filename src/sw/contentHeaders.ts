/**
 * The headers of every response the Service Worker builds from swarm content or about it
 * (`/c/`, `/s/`, their 403/404/416 pages and every error page). Swarm bytes are written by
 * strangers and the app's origin holds the identity, the vault and the node: nothing served
 * from content may run as the app (issue #14).
 *
 * - `Content-Security-Policy: sandbox` makes any document an opaque origin with scripts off;
 *   packaged sites (`/s/`) may run scripts, forms and popups, never `allow-same-origin`.
 * - `X-Content-Type-Options: nosniff` stops a browser from guessing HTML out of text or bytes.
 * - `Cross-Origin-Resource-Policy: same-origin` keeps other sites from embedding the bytes.
 *
 * The type a card names is checked by `servedType` (src/shared/servedType.ts): what a browser
 * renders as a document or runs as code is never served inline as itself, only as a download.
 */
import { servedType } from '../shared/servedType.ts'

/** Which sandbox a response gets: plain content, or a packaged site's opaque origin. */
export type Sandbox = 'content' | 'site'

/**
 * A site keeps its own origin (`allow-same-origin`): it runs at a subdomain of its own, never
 * the app's (src/shared/site/origin.ts), and only a document with a real origin is controlled
 * by its Service Worker. The sandbox still stops it navigating the top window, opening modal
 * dialogs, and starting downloads or plugins.
 */
const CSP: Record<Sandbox, string> = {
  content: 'sandbox',
  site: 'sandbox allow-scripts allow-forms allow-popups allow-same-origin',
}

/** The three headers every content response carries; nothing else sets them. */
export function securityHeaders(sandbox: Sandbox = 'content'): Record<string, string> {
  return {
    'content-security-policy': CSP[sandbox],
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
  }
}

/** `Content-Disposition` for a download, with a filename safe in any header (RFC 6266). */
export function attachment(name: string | undefined): string {
  const safe = (name ?? '').replace(/[^\w.() -]/g, '_').slice(0, 120) || 'download'
  const full = name ? `; filename*=UTF-8''${encodeURIComponent(name.slice(0, 200))}` : ''
  return `attachment; filename="${safe}"${full}`
}

export type ContentHeaderOptions = {
  /** The type the card names (checked by {@link servedType}); omitted for pages we write. */
  mime?: string | undefined
  /** The content's file name, used when it is served as a download. */
  name?: string | undefined
  sandbox?: Sandbox
}

/**
 * Every header of a content response but those of the range: the security headers, the
 * checked type and, for a download, its disposition. No content response is built without it.
 *
 * @example new Response(body, { status: 200, headers: contentHeaders({ mime: head.mime, name: head.name }) })
 */
export function contentHeaders(o: ContentHeaderOptions = {}): Headers {
  const headers = new Headers(securityHeaders(o.sandbox))
  headers.set('cache-control', 'no-store')
  if (o.mime === undefined) return headers
  const served = servedType(o.mime)
  headers.set('content-type', served.type)
  if (!served.inline) headers.set('content-disposition', attachment(o.name))
  return headers
}
