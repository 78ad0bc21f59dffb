/**
 * Where a packaged site runs (DESIGN §4.8, as built): each site in an origin of its own, a
 * subdomain of the app's host named by its card id, `http(s)://<label>.<app host>`. The label
 * is the card id in base32 (RFC 4648, lower case, no padding): 52 characters, under DNS's 63.
 *
 * Why not the app's origin with `CSP: sandbox` (an opaque origin)? A document with an opaque
 * origin is controlled by no Service Worker (w3c/ServiceWorker#1390, #1727; checked in
 * Chromium), so a sandboxed site's stylesheets, scripts and fetches would go to the network
 * and find nothing. A site's own origin keeps its Service Worker, and the same-origin policy
 * keeps it from the app and from every other site. It must be the same *site* as the app
 * (a subdomain): a cross-site frame may not register a Service Worker while third-party
 * storage is blocked.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
const LABEL = /^[a-z2-7]{52}$/

/** The host label of a card's site. @example siteLabel('0x00…00') // 'aaaa…' (52 characters) */
export function siteLabel(cardId: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(cardId))
    throw new RangeError(`cardId: expected 32 bytes of hex, got ${cardId}`)
  let bits = 0
  let value = 0
  let out = ''
  for (let i = 2; i < 66; i += 2) {
    value = (value << 8) | Number.parseInt(cardId.slice(i, i + 2), 16)
    bits += 8
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
    value &= (1 << bits) - 1
  }
  return out + ALPHABET[(value << (5 - bits)) & 31]
}

/** The card id a host label names, or null when it is not a site label. */
export function cardIdOfLabel(label: string): `0x${string}` | null {
  if (!LABEL.test(label)) return null
  let bits = 0
  let value = 0
  let hex = ''
  for (const c of label) {
    value = (value << 5) | ALPHABET.indexOf(c)
    bits += 5
    if (bits >= 8) {
      hex += ((value >>> (bits - 8)) & 255).toString(16).padStart(2, '0')
      bits -= 8
      value &= (1 << bits) - 1
    }
  }
  // 52 × 5 = 260 bits: the 4 left over must be zero, so each card has exactly one label.
  return value === 0 ? `0x${hex}` : null
}

/** True when a host is a site's: its first label is a site label. */
export function isSiteHost(hostname: string): boolean {
  return cardIdOfLabel(hostname.split('.')[0] ?? '') !== null
}

/**
 * The origin of a card's site, for the app at `app` (a URL or location).
 * @example siteOrigin(location, cardId) // 'http://<label>.hashcard.localhost:8080'
 */
export function siteOrigin(app: { protocol: string; host: string }, cardId: string): string {
  return `${app.protocol}//${siteLabel(cardId)}.${app.host}`
}

/** The app's origin, seen from a site's location (its host without the site label). */
export function appOriginOf(site: { protocol: string; host: string }): string {
  return `${site.protocol}//${site.host.slice(site.host.indexOf('.') + 1)}`
}

/**
 * Why sites cannot run beside the app at this host, or null when they can: a site needs a
 * subdomain of the app's host, which an IP address or a bare `localhost` cannot give (a
 * subdomain of `localhost` is another site to the browser).
 */
export function sitesUnavailable(hostname: string): string | null {
  if (/^[\d.]+$/.test(hostname) || hostname.includes(':'))
    return `Sites need the app on a host name, not the address ${hostname}: open it at http://hashcard.localhost instead.`
  if (!hostname.includes('.'))
    return `Sites run on subdomains of the app's host, and ${hostname} has none that the browser counts as the same site: open the app at hashcard.${hostname} instead.`
  return null
}
