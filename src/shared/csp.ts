/**
 * The app shell's Content-Security-Policy (issue #14), one copy for every place that serves
 * the shell: the relay's HTTP server, the Service Worker's offline fallback, and index.html's
 * `<meta>` (a test keeps that one equal; a `<meta>` CSP cannot carry `frame-ancestors`).
 *
 * No inline script (`script-src 'self'`, plus wasm compilation), no plugins, no `<base>`, no
 * form posts; frames of sites' own origins; framing of the app only for the embed route (`/embed/<cardId>`, meant for other sites).
 * Swarm content never runs under this policy: the SW serves it sandboxed (src/sw/contentHeaders.ts).
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' ws: wss: http: https:",
  "worker-src 'self' blob:",
  // Packaged sites run in frames of their own origins, subdomains of the app's host
  // (src/shared/site/origin.ts); a CSP cannot name "any subdomain of this host".
  "frame-src 'self' http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ')

/** True for the one route other sites may frame. */
export const isEmbedPath = (pathname: string) => /^\/embed(?:\/|$)/.test(pathname)

/** The security headers of the app shell (index.html) served at `pathname`. */
export function appShellHeaders(pathname: string): Record<string, string> {
  return {
    'content-security-policy': `${APP_CSP}; frame-ancestors ${isEmbedPath(pathname) ? '*' : "'none'"}`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  }
}
