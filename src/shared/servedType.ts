/**
 * Which types a card's content is served as (issue #14). What a browser renders as a document
 * or runs as code (HTML, XHTML, XML, SVG, JavaScript, wasm, PDF, anything unknown) is never
 * served inline as itself: the Service Worker sends it as a download of
 * `application/octet-stream` (src/sw/contentHeaders.ts), and the player offers it as one.
 */

/** How a card's content is served: as which type, shown in place or saved as a file. */
export type ServedType = { type: string; inline: boolean }

const DOWNLOAD: ServedType = { type: 'application/octet-stream', inline: false }

/** Image types browsers decode as pictures only; SVG is absent on purpose (it runs script). */
const IMAGES = new Set([
  'png',
  'jpeg',
  'gif',
  'webp',
  'avif',
  'apng',
  'bmp',
  'x-icon',
  'vnd.microsoft.icon',
  'heic',
  'heif',
  'jxl',
  'tiff',
])

/** Text types shown as plain text (a Markdown or CSV file reads fine as text). */
const PLAIN_TEXT = new Set(['text/plain', 'text/markdown', 'text/csv'])

const TOKEN = /^[a-z0-9!#$&^_.+-]{1,64}$/
const CHARSET = /^[a-z0-9_.:-]{1,40}$/

/**
 * The type a card names, checked: media, pictures (not SVG) and plain text are served as they
 * are, everything else as a download. Case and parameters are normalised; only a well-formed
 * `charset` survives, on text.
 *
 * @example servedType('TEXT/HTML; charset=utf-8') // { type: 'application/octet-stream', inline: false }
 * @example servedType('video/mp4') // { type: 'video/mp4', inline: true }
 */
export function servedType(mime: string | null | undefined): ServedType {
  const [essence = '', ...params] = (mime ?? '').toLowerCase().split(';')
  const [top, sub, extra] = essence.trim().split('/')
  if (!top || !sub || extra !== undefined || !TOKEN.test(top) || !TOKEN.test(sub)) return DOWNLOAD
  const type = `${top}/${sub}`
  if (top === 'video' || top === 'audio') return { type, inline: true }
  if (top === 'image') return IMAGES.has(sub) ? { type, inline: true } : DOWNLOAD
  if (type === 'text/vtt') return { type, inline: true } // <track> subtitles, never a document
  if (!PLAIN_TEXT.has(type)) return DOWNLOAD
  const charset = params
    .map((p) => p.trim().split('='))
    .find(([k]) => k?.trim() === 'charset')?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, '$1')
  return {
    type: `text/plain; charset=${charset && CHARSET.test(charset) ? charset : 'utf-8'}`,
    inline: true,
  }
}
