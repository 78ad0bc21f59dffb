import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { isAppPath } from '../src/shared/app-paths.ts'
import { APP_CSP, appShellHeaders } from '../src/shared/csp.ts'
import { isSiteHost } from '../src/shared/site/origin.ts'
import { COMPRESSIBLE, CompressedFiles, negotiate } from './compress.ts'
import { RateLimitError } from './limits.ts'
import { logger } from './log.ts'

const log = logger('http')

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
}

export type AppServerOptions = {
  host: string
  port: number
  /** The built app (vite's dist/). */
  appDir: string
  /** Serialized `/config.json` body, computed per request so it reflects the relay's state. */
  config: () => string
  /**
   * JSON POST endpoints by path (the dev faucet); bodies over 4 KiB are refused. A
   * RateLimitError becomes 429 with `Retry-After`.
   */
  post?: Record<string, (body: unknown, client: { ip: string }) => Promise<unknown>>
  /**
   * The app's CSP (src/shared/csp.ts `appCsp`, narrowed to the relay's own addresses), sent
   * with the shell and with every script, so the workers the app starts run under it too.
   */
  csp?: string
}

const MAX_POST_BYTES = 4096

export type AppServer = { server: Server; url: string; port: number; stop(): Promise<void> }

/**
 * Serves the built PWA and `/config.json`. GET and HEAD only; paths are normalised and kept
 * inside `appDir`; unknown app routes fall back to index.html so `/card/<id>` links open the
 * app. Hashed files under `/assets/` are cached for a year as immutable; everything else
 * (index.html, the service worker, the manifest) is revalidated at each visit (`no-cache`),
 * so an update is picked up at once. Text and wasm go Brotli- or gzip-compressed when the
 * client accepts it (relay/compress.ts).
 */
export async function startAppServer(opts: AppServerOptions): Promise<AppServer> {
  const compressed = new CompressedFiles()
  const server = createServer((req, res) => {
    handle(req, res, opts, compressed).catch((err: Error) => {
      log.warn('request failed: %s', err.message)
      if (!res.headersSent) res.writeHead(500).end('internal error')
      else res.destroy()
    })
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  server.maxHeadersCount = 100
  server.on('clientError', (err, socket) => {
    log.warn('dropped bad request: %s', err.message)
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')
    else socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, resolve)
  })
  const port = (server.address() as { port: number }).port
  return {
    server,
    port,
    url: `http://${opts.host === '127.0.0.1' ? 'localhost' : opts.host}:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  opts: AppServerOptions,
  compressed: CompressedFiles,
) {
  const hostname = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase()
  if (isSiteHost(hostname)) return handleSiteHost(req, res, opts)
  if (req.method === 'POST') return handlePost(req, res, opts)
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end()
    return
  }
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
  } catch {
    res.writeHead(400).end('bad url')
    return
  }
  if (pathname === '/config.json') {
    const body = opts.config()
    res.writeHead(200, {
      'content-type': MIME['.json']!,
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
    return
  }
  const file = await resolveFile(opts.appDir, pathname)
  if (!file) {
    res.writeHead(404, { 'content-type': MIME['.txt']! }).end('not found')
    return
  }
  const ext = extname(file.path)
  const immutable = file.path.startsWith(join(opts.appDir, 'assets') + sep)
  const csp = opts.csp ?? APP_CSP
  const headers: Record<string, string | number> = {
    'content-type': MIME[ext] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    // The shell's CSP; only embeds (/embed/<cardId>) may be framed, by any site.
    ...(ext === '.html' ? appShellHeaders(pathname, csp) : {}),
    // A worker runs under its script's own CSP, not the page's.
    ...(ext === '.js' || ext === '.mjs' ? { 'content-security-policy': csp } : {}),
  }
  const encoding = COMPRESSIBLE.has(ext) ? negotiate(req.headers['accept-encoding']) : null
  if (COMPRESSIBLE.has(ext)) headers.vary = 'accept-encoding'
  const body = encoding ? await compressed.get(file, encoding) : null
  if (body && encoding) {
    res.writeHead(200, { ...headers, 'content-encoding': encoding, 'content-length': body.length })
    res.end(req.method === 'HEAD' ? undefined : body)
    return
  }
  res.writeHead(200, { ...headers, 'content-length': file.size })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  createReadStream(file.path)
    .on('error', () => res.destroy())
    .pipe(res)
}

/** The bootstrap page of every site origin (src/ui/site/boot.ts runs it). */
const SITE_BOOT =
  '<!doctype html><meta charset="utf-8"><title>Starting the site…</title><script src="/__hc/boot.js"></script><p>Starting the site…</p>'

/**
 * A packaged site's origin (`<label>.<app host>`, src/shared/site/origin.ts): the relay serves
 * only what starts the site's Service Worker — its script and the bootstrap page, which every
 * other path gets until the worker controls the origin. Never the app, its config or its
 * endpoints: the site's bytes come from the node, through that worker.
 */
async function handleSiteHost(req: IncomingMessage, res: ServerResponse, opts: AppServerOptions) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end()
    return
  }
  const pathname = new URL(req.url ?? '/', 'http://x').pathname
  const script = { '/__hc/sw.js': 'sw.js', '/__hc/boot.js': 'boot.js' }[pathname]
  if (script) {
    const path = join(opts.appDir, '__hc', script)
    const s = await stat(path).catch(() => null)
    if (!s?.isFile()) {
      res.writeHead(404, { 'content-type': MIME['.txt']! }).end('not built')
      return
    }
    res.writeHead(200, {
      'content-type': MIME['.js']!,
      'content-length': s.size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // The worker's script lives under /__hc/; it serves the whole origin.
      ...(script === 'sw.js' ? { 'service-worker-allowed': '/' } : {}),
    })
    if (req.method === 'HEAD') return void res.end()
    createReadStream(path)
      .on('error', () => res.destroy())
      .pipe(res)
    return
  }
  res.writeHead(200, {
    'content-type': MIME['.html']!,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; script-src 'self'; worker-src 'self'",
  })
  res.end(req.method === 'HEAD' ? undefined : SITE_BOOT)
}

async function handlePost(req: IncomingMessage, res: ServerResponse, opts: AppServerOptions) {
  const json = (status: number, body: unknown) =>
    res
      .writeHead(status, { 'content-type': MIME['.json']!, 'cache-control': 'no-store' })
      .end(JSON.stringify(body))
  const pathname = new URL(req.url ?? '/', 'http://x').pathname
  const endpoint = opts.post?.[pathname]
  if (!endpoint) return json(404, { error: 'no such endpoint' })
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_POST_BYTES) {
      log.warn('dropped an oversized POST to %s', pathname)
      json(413, { error: `the body is larger than ${MAX_POST_BYTES} bytes` })
      req.destroy()
      return
    }
    chunks.push(chunk as Buffer)
  }
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    return json(400, { error: 'the body is not JSON' })
  }
  try {
    json(200, await endpoint(body, { ip: req.socket.remoteAddress ?? '' }))
  } catch (err) {
    if (err instanceof RateLimitError) {
      res.setHeader('retry-after', Math.max(1, Math.ceil(err.retryAfterMs / 1000)))
      return json(429, { error: err.message, retryAfterMs: err.retryAfterMs })
    }
    const status = err instanceof TypeError || err instanceof RangeError ? 400 : 500
    json(status, { error: (err as Error).message })
  }
}

async function resolveFile(root: string, pathname: string) {
  const rel = normalize(pathname).replace(/^([/\\])+/, '')
  if (rel.split(sep).includes('..')) return null
  const candidates = [join(root, rel)]
  if (pathname.endsWith('/')) candidates.push(join(root, rel, 'index.html'))
  if (isAppPath(pathname)) candidates.push(join(root, 'index.html'))
  for (const path of candidates) {
    if (!path.startsWith(root)) continue
    const s = await stat(path).catch(() => null)
    if (s?.isFile()) return { path, size: s.size, mtimeMs: s.mtimeMs }
  }
  return null
}
