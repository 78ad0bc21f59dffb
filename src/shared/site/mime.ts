/**
 * The type a packaged site's file is served as, by its extension (what a static web server
 * does). The archive stores the type per file, so a site is served the same by every node;
 * a type from an archive is checked with {@link isMimeType} before it becomes a header.
 */
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  map: 'application/json',
  webmanifest: 'application/manifest+json',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xml: 'application/xml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  bmp: 'image/bmp',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  wasm: 'application/wasm',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  vtt: 'text/vtt',
  pdf: 'application/pdf',
  zip: 'application/zip',
}

/** `type/subtype` with an optional `; charset=…`: what a header may carry. */
const MIME = /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}(; charset=[a-z0-9_.:-]{1,40})?$/

/**
 * The type of a site file by its name; `application/octet-stream` when unknown.
 * @example mimeOf('css/site.css') // 'text/css; charset=utf-8'
 */
export function mimeOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  return (dot > 0 && TYPES[base.slice(dot + 1).toLowerCase()]) || 'application/octet-stream'
}

/** True for a type {@link mimeOf} could have given (lower case, at most a charset). */
export function isMimeType(s: string): boolean {
  return s.length <= 120 && MIME.test(s)
}
