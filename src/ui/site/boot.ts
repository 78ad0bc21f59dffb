/**
 * The bootstrap page of a site's origin (`/__hc/boot`, served by the relay; DESIGN §4.8): it
 * registers the site's Service Worker (src/sw/site/sw.ts), then passes ports between the app
 * that framed it and that worker — the app's port to the node in, the worker's requests for a
 * port and the site's page changes out. It trusts only its parent at the app's origin.
 *
 * Opened on its own (a site link in a new tab, before the worker controlled the origin), it
 * reloads once the worker is active, so the worker answers the page asked for.
 */
import {
  CONTENT_PORT,
  CONTENT_PORT_REQUEST,
  type ContentPortOffer,
} from '../../shared/protocol/content.ts'
import { appOriginOf } from '../../shared/site/origin.ts'
import {
  SITE_NAV,
  SITE_PORT_REQUEST,
  SITE_READY,
  type SiteToApp,
} from '../../shared/site/protocol.ts'

const app = appOriginOf(location)
const framed = parent !== window
const toApp = (m: SiteToApp) => parent.postMessage(m, app)

async function boot(): Promise<void> {
  const sw = navigator.serviceWorker
  await sw.register('/__hc/sw.js', { scope: '/' })
  await sw.ready
  if (!sw.controller)
    await new Promise<void>((r) =>
      sw.addEventListener('controllerchange', () => r(), { once: true }),
    )
  if (!framed) {
    if (!location.pathname.startsWith('/__hc/')) location.reload()
    return
  }
  sw.addEventListener('message', (e) => {
    const t = (e.data as { type?: string } | null)?.type
    if (t === CONTENT_PORT_REQUEST) toApp({ type: SITE_PORT_REQUEST })
    if (t === SITE_NAV) toApp({ type: SITE_NAV, path: String((e.data as { path: unknown }).path) })
  })
  sw.startMessages()
  addEventListener('message', (e) => {
    const offer = e.data as Partial<ContentPortOffer> | null
    if (e.origin !== app || e.source !== parent || offer?.type !== CONTENT_PORT || !offer.port)
      return
    sw.controller?.postMessage(
      { type: CONTENT_PORT, port: offer.port } satisfies ContentPortOffer,
      [offer.port],
    )
  })
  toApp({ type: SITE_READY })
}

boot().catch((err: Error) => {
  document.body.textContent = `This site cannot start: ${err.message}`
})
