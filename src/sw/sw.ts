/// <reference lib="webworker" />
import { cleanupOutdatedCaches, matchPrecache, precache } from 'workbox-precaching'
import { isAppPath } from '../shared/app-paths.ts'
import { appShellHeaders } from '../shared/csp.ts'
import { registerAllErrors } from '../shared/errors/registry.ts'
import { DOWNLOAD_CHANNEL, type DownloadProgress } from '../shared/protocol/content.ts'
import { createContentHandler } from './content.ts'
import { errorResponse, type FetchHandler } from './handlers.ts'
import { serveHandlers } from './lifecycle.ts'
import { nodePorts } from './nodePort.ts'

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>
}

// Errors that cross postMessage are rebuilt into their classes in this realm too.
registerAllErrors()

/** Versioned so a format change never reads an older cache. */
const RUNTIME_CACHE = 'hashcard-runtime-v1'

// The app shell: every built asset, precached at install (workbox injects the list).
precache(self.__WB_MANIFEST)
cleanupOutdatedCaches()

const downloads = new BroadcastChannel(DOWNLOAD_CHANNEL)

const handlers: FetchHandler[] = [
  {
    // Network first so a restarted relay's new ports are seen; the cached copy lets the app
    // open offline and say so.
    name: 'config',
    canHandle: (url, req) => url.pathname === '/config.json' && req.method === 'GET',
    async handle(_url, req) {
      const cache = await caches.open(RUNTIME_CACHE)
      try {
        const res = await fetch(req, { cache: 'no-store' })
        if (res.ok) await cache.put('/config.json', res.clone())
        return res
      } catch {
        const cached = await cache.match('/config.json')
        if (cached) {
          const headers = new Headers(cached.headers)
          headers.set('x-hashcard-offline', '1')
          return new Response(cached.body, { status: 200, headers })
        }
        return errorResponse(503, 'Offline', 'The node has never been online from this browser.')
      }
    },
  },
  {
    name: 'app-shell',
    canHandle: (url, req) =>
      req.mode === 'navigate' && url.origin === self.location.origin && isAppPath(url.pathname),
    async handle(url, req) {
      try {
        return await fetch(req)
      } catch {
        const shell = await matchPrecache('/index.html')
        if (!shell) return errorResponse(503, 'Offline', 'The app is not cached yet.')
        // The cached copy carries the headers of `/index.html` (with the relay's narrowed
        // CSP, kept); this route's frame-ancestors are its own.
        const headers = new Headers(shell.headers)
        const csp = shell.headers.get('content-security-policy') ?? undefined
        for (const [k, v] of Object.entries(appShellHeaders(url.pathname, csp))) headers.set(k, v)
        return new Response(shell.body, { status: 200, headers })
      }
    },
  },
  {
    // `/s/<cardId>/<path>`: a packaged site, which runs in its own origin (src/shared/site/origin.ts)
    // and is opened in the app's site view.
    name: 'site-link',
    canHandle: (url, req) =>
      req.mode === 'navigate' &&
      url.origin === self.location.origin &&
      /^\/s\/0x[0-9a-fA-F]{64}(\/|$)/.test(url.pathname),
    handle: async (url) => Response.redirect(`/site/${url.pathname.slice(3)}${url.search}`, 302),
  },
  // `/c/`: bytes from the node over the port a tab handed over (nodePort.ts); a download's
  // progress goes to the app's pages (src/ui/swarm/download.svelte.ts).
  createContentHandler({
    portToNode: nodePorts(self),
    origin: self.location.origin,
    progress: (r: DownloadProgress) => downloads.postMessage(r),
  }),
  {
    name: 'precache',
    canHandle: (url, req) => req.method === 'GET' && url.origin === self.location.origin,
    async handle(url, req) {
      const cached = await matchPrecache(url.pathname)
      return cached ?? fetch(req)
    },
  },
]

// A new build waits for the page's "update ready" prompt (src/ui/pwa/).
serveHandlers(self, handlers, { waitForPage: true })
