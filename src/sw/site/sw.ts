/// <reference lib="webworker" />
/**
 * The Service Worker of a packaged site's own origin (`<label>.<app host>`, DESIGN §4.8 and
 * src/shared/site/origin.ts), built to `/__hc/sw.js` and served there by the relay. It serves
 * the site's files from the node (handler.ts) over a port the app hands to the bootstrap page
 * (`/__hc/boot`, src/ui/site/boot.ts) — the only client it takes a port from or asks for one —
 * and tells the bootstrap each page the site navigates to.
 */
import { registerAllErrors } from '../../shared/errors/registry.ts'
import { cardIdOfLabel } from '../../shared/site/origin.ts'
import { SITE_NAV } from '../../shared/site/protocol.ts'
import { errorResponse, type FetchHandler } from '../handlers.ts'
import { serveHandlers } from '../lifecycle.ts'
import { nodePorts } from '../nodePort.ts'
import { BOOT_PREFIX, createSiteHandler } from './handler.ts'

declare const self: ServiceWorkerGlobalScope

registerAllErrors()

const cardId = cardIdOfLabel(self.location.hostname.split('.')[0] ?? '')
const isBoot = (url: string) => new URL(url).pathname.startsWith(`${BOOT_PREFIX}boot`)

const handlers: FetchHandler[] = cardId
  ? [
      createSiteHandler({
        cardId,
        origin: self.location.origin,
        portToNode: nodePorts(self, isBoot),
        onNavigate: (path) =>
          void self.clients.matchAll({ type: 'window' }).then((all) => {
            for (const c of all.filter((c) => isBoot(c.url)))
              c.postMessage({ type: SITE_NAV, path })
          }),
      }),
    ]
  : [
      {
        name: 'not-a-site',
        canHandle: (url) =>
          url.origin === self.location.origin && !url.pathname.startsWith(BOOT_PREFIX),
        handle: async () => errorResponse(404, 'Not a site', 'This host names no site.'),
      },
    ]

serveHandlers(self, handlers)
