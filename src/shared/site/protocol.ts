/**
 * Messages between the app page, a site's bootstrap page (src/ui/site/boot.ts, in the site's
 * origin) and the site's Service Worker (src/sw/site/sw.ts). The port itself travels as a
 * {@link ContentPortOffer} (src/shared/protocol/content.ts); the bootstrap checks the app's
 * origin on everything it takes from its parent, and posts to the parent with that origin.
 */
import type { ContentPortOffer } from '../protocol/content.ts'

/** Bootstrap → app: the site's Service Worker is active; hand over a port. */
export const SITE_READY = 'hashcard:site-ready'
/** Bootstrap → app: the site's Service Worker lost its port (it was stopped); hand a new one. */
export const SITE_PORT_REQUEST = 'hashcard:site-port-request'
/** SW → bootstrap → app: the site showed this page (path, query, hash). */
export const SITE_NAV = 'hashcard:site-nav'

export type SiteToApp =
  | { type: typeof SITE_READY }
  | { type: typeof SITE_PORT_REQUEST }
  | { type: typeof SITE_NAV; path: string }

/** App → bootstrap (→ SW): the port to the node, scoped to the site's card. */
export type AppToSite = ContentPortOffer
