/**
 * The app shell's Content-Security-Policy (issue #14), one copy for every place that serves
 * the shell: the relay's HTTP server, the Service Worker's offline fallback, and index.html's
 * `<meta>` (a test keeps that one equal; a `<meta>` CSP cannot carry `frame-ancestors`).
 *
 * No inline script (`script-src 'self'`, plus wasm compilation), no plugins, no `<base>`, no
 * form posts; frames of sites' own origins; framing of the app only for the embed route (`/embed/<cardId>`, meant for other sites).
 * Swarm content never runs under this policy: the SW serves it sandboxed (src/sw/contentHeaders.ts).
 *
 * `connect-src` here is the widest the app could need (any relay); the relay, which knows its
 * own addresses, its tracker and the chain's RPC, narrows it in the header it sends
 * ({@link appCsp} with {@link connectSourcesOf}), and both policies apply.
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

/**
 * Powerful features the app never uses are denied to it and to every frame it holds (a
 * packaged site included); what it uses stays allowed to itself: autoplay and fullscreen and
 * picture-in-picture for the players, clipboard-write for "copy address".
 */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=(self)',
  'camera=()',
  'clipboard-read=()',
  'clipboard-write=(self)',
  'display-capture=()',
  'encrypted-media=()',
  'fullscreen=(self)',
  'geolocation=()',
  'gyroscope=()',
  'hid=()',
  'idle-detection=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'picture-in-picture=(self)',
  'publickey-credentials-get=()',
  'screen-wake-lock=()',
  'serial=()',
  'usb=()',
  'xr-spatial-tracking=()',
].join(', ')

/**
 * The app's CSP with `connect-src` narrowed to `'self'` and `sources` (origins such as
 * `ws://127.0.0.1:8081`); without `sources`, {@link APP_CSP} as it is.
 *
 * @example appCsp(['ws://127.0.0.1:8081', 'http://127.0.0.1:8545'])
 */
export function appCsp(sources?: readonly string[]): string {
  if (!sources) return APP_CSP
  return APP_CSP.replace(/connect-src [^;]*/, ["connect-src 'self'", ...sources].join(' '))
}

/**
 * The origins the app connects to, from the relay's config: each relay multiaddr as a
 * `ws://` or `wss://` origin, the tracker and the chain's RPC. Unparseable entries are left
 * out (the app could not dial them either).
 */
export function connectSourcesOf(config: {
  relay: { multiaddrs: readonly string[]; tracker: string }
  chain: { rpcUrl: string } | null
}): string[] {
  const origins = [
    ...config.relay.multiaddrs.map(wsOriginOf),
    originOf(config.relay.tracker),
    config.chain ? originOf(config.chain.rpcUrl) : null,
  ]
  return [...new Set(origins.filter((o): o is string => o !== null))]
}

function originOf(url: string): string | null {
  try {
    const u = new URL(url)
    return /^(wss?|https?):$/.test(u.protocol) ? `${u.protocol}//${u.host}` : null
  } catch {
    return null
  }
}

/** `/ip4/1.2.3.4/tcp/8081/ws/p2p/…` → `ws://1.2.3.4:8081`; `/dns4/x/tcp/443/tls/ws` or `/wss` → `wss://x`. */
function wsOriginOf(ma: string): string | null {
  const m =
    /^\/(ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)\/(ws|wss|tls\/ws|tls\/sni\/[^/]+\/ws)(?:\/|$)/.exec(
      ma,
    )
  if (!m) return null
  const [, kind, host, port, tail] = m as unknown as [string, string, string, string, string]
  const scheme = tail === 'ws' ? 'ws' : 'wss'
  return originOf(`${scheme}://${kind === 'ip6' ? `[${host}]` : host}:${port}`)
}

/** True for the one route other sites may frame. */
export const isEmbedPath = (pathname: string) => /^\/embed(?:\/|$)/.test(pathname)

/**
 * The security headers of the app shell (index.html) served at `pathname`, under `csp` (the
 * narrowed {@link appCsp}; {@link APP_CSP} by default).
 */
export function appShellHeaders(pathname: string, csp: string = APP_CSP): Record<string, string> {
  const policy = csp.replace(/; frame-ancestors [^;]*$/, '')
  return {
    'content-security-policy': `${policy}; frame-ancestors ${isEmbedPath(pathname) ? '*' : "'none'"}`,
    'permissions-policy': PERMISSIONS_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  }
}
