/**
 * The Service Worker is an ordered list of handlers (after ipfs/service-worker-gateway): the
 * first whose `canHandle` says yes answers, and every failure becomes an error Response, so
 * `respondWith` always gets one. Requests no handler takes go to the network untouched.
 */
import { contentHeaders, type Sandbox, securityHeaders } from './contentHeaders.ts'

export type FetchHandler = {
  name: string
  /**
   * Set on handlers that serve swarm content: whatever they answer, {@link respond} stamps
   * that sandbox's security headers on it, so no code path of theirs can serve content bare.
   */
  sandbox?: Sandbox
  canHandle(url: URL, request: Request): boolean
  handle(url: URL, request: Request, event: FetchEvent): Promise<Response>
}

/** A small HTML page we write ourselves; sandboxed like content all the same. */
export function errorResponse(status: number, title: string, message: string): Response {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
  const body = `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><style>body{font:16px system-ui;margin:3rem auto;max-width:36rem;color:#e8e8e8;background:#0f1115}</style><h1>${esc(title)}</h1><p>${esc(message)}</p>`
  const headers = contentHeaders()
  headers.set('content-type', 'text/html; charset=utf-8')
  // The page's own <style> element: the sandbox leaves styles alone, this CSP allows only it.
  headers.append('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
  return new Response(body, { status, headers })
}

export async function respond(
  handlers: FetchHandler[],
  url: URL,
  request: Request,
  event: FetchEvent,
): Promise<Response> {
  const handler = handlers.find((h) => h.canHandle(url, request))
  if (!handler) return fetch(request)
  let res: Response
  try {
    res = await handler.handle(url, request, event)
  } catch (err) {
    console.error(`sw:${handler.name}`, err)
    return errorResponse(500, 'Something went wrong', (err as Error)?.message ?? String(err))
  }
  return handler.sandbox ? sealed(res, handler.sandbox) : res
}

/** The response with its sandbox's security headers, whatever the handler set. */
function sealed(res: Response, sandbox: Sandbox): Response {
  const headers = new Headers(res.headers)
  for (const [k, v] of Object.entries(securityHeaders(sandbox))) headers.set(k, v)
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers })
}
