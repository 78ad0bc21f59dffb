/**
 * The Service Worker is an ordered list of handlers (after ipfs/service-worker-gateway): the
 * first whose `canHandle` says yes answers, and every failure becomes an error Response, so
 * `respondWith` always gets one. Requests no handler takes go to the network untouched.
 */
export type FetchHandler = {
  name: string
  canHandle(url: URL, request: Request): boolean
  handle(url: URL, request: Request, event: FetchEvent): Promise<Response>
}

export function errorResponse(status: number, title: string, message: string): Response {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
  const body = `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><style>body{font:16px system-ui;margin:3rem auto;max-width:36rem;color:#e8e8e8;background:#0f1115}</style><h1>${esc(title)}</h1><p>${esc(message)}</p>`
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  })
}

export async function respond(
  handlers: FetchHandler[],
  url: URL,
  request: Request,
  event: FetchEvent,
): Promise<Response> {
  const handler = handlers.find((h) => h.canHandle(url, request))
  if (!handler) return fetch(request)
  try {
    return await handler.handle(url, request, event)
  } catch (err) {
    console.error(`sw:${handler.name}`, err)
    return errorResponse(500, 'Something went wrong', (err as Error)?.message ?? String(err))
  }
}
