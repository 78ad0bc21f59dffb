/// <reference lib="webworker" />
/**
 * What every Service Worker of the app starts with (the app's, src/sw/sw.ts, and a site's,
 * src/sw/site/sw.ts): take control at once (PLATFORM.md: without it the first load is not
 * controlled) and answer fetches with the first handler that takes them (handlers.ts).
 *
 * With `waitForPage` (the app's worker) only the first install takes over at once: a new build
 * installed beside a running one waits, so open tabs keep the shell they loaded, until the page
 * asks it to take over (`{ type: 'SKIP_WAITING' }`, what workbox-window's messageSkipWaiting
 * sends; the "update ready" prompt, src/ui/pwa/).
 */
import { type FetchHandler, respond } from './handlers.ts'

/** The message that makes a waiting worker take over (workbox-window's). */
export const SKIP_WAITING = 'SKIP_WAITING'

export function serveHandlers(
  scope: ServiceWorkerGlobalScope,
  handlers: FetchHandler[],
  o: { waitForPage?: boolean } = {},
): void {
  scope.addEventListener('install', () => {
    if (!o.waitForPage || !scope.registration.active) void scope.skipWaiting()
  })
  scope.addEventListener('message', (event) => {
    if ((event.data as { type?: unknown } | null)?.type === SKIP_WAITING) void scope.skipWaiting()
  })
  scope.addEventListener('activate', (event) => {
    event.waitUntil(scope.clients.claim())
  })
  scope.addEventListener('fetch', (event) => {
    const url = new URL(event.request.url)
    if (!handlers.some((h) => h.canHandle(url, event.request))) return
    event.respondWith(respond(handlers, url, event.request, event))
  })
}
