/// <reference lib="webworker" />
/**
 * What every Service Worker of the app starts with (the app's, src/sw/sw.ts, and a site's,
 * src/sw/site/sw.ts): take control at once (PLATFORM.md: without it the first load is not
 * controlled) and answer fetches with the first handler that takes them (handlers.ts).
 */
import { type FetchHandler, respond } from './handlers.ts'

export function serveHandlers(scope: ServiceWorkerGlobalScope, handlers: FetchHandler[]): void {
  scope.addEventListener('install', () => {
    void scope.skipWaiting()
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
