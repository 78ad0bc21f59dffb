/**
 * Which viewer opens a card (issue #18: every kind opens in the viewer that fits it). The
 * content's type decides for media and text — a kind is the creator's label, the bytes are
 * what the browser must decode, so a card labelled `video` that holds a PNG opens the image
 * viewer, never the video player. Software and sites open as apps whatever their type; a
 * type the app does not show in place (src/shared/servedType.ts) is offered as a download.
 */
import type { Card, Hex } from '../../shared/card/card.ts'
import { servedType } from '../../shared/servedType.ts'

export type Viewer = 'post' | 'watch' | 'listen' | 'photo' | 'read' | 'pdf' | 'site' | 'download'

/** A PDF by its type or its name (pdf.js reads it in the page; it is never served inline). */
function isPdf(c: NonNullable<Card['content']>): boolean {
  return c.mime.toLowerCase().split(';')[0]?.trim() === 'application/pdf' || /\.pdf$/i.test(c.name)
}

/**
 * The viewer for a card.
 * @example viewerOf({ kind: 'video', content: { mime: 'image/png', … } }) // 'photo'
 */
export function viewerOf(card: Pick<Card, 'kind' | 'content'>): Viewer {
  const c = card.content
  if (!c) return 'post'
  if (card.kind === 'site') return 'site'
  if (card.kind === 'software') return 'download'
  if (isPdf(c)) return 'pdf'
  const served = servedType(c.mime)
  if (!served.inline) return 'download'
  if (served.type.startsWith('video/')) return 'watch'
  if (served.type.startsWith('audio/')) return 'listen'
  if (served.type.startsWith('image/')) return 'photo'
  if (served.type.startsWith('text/plain')) return 'read'
  return 'download' // text/vtt: subtitles, not a document
}

/** Where a packaged site opens: the site view, which frames it in its own origin (DESIGN §4.8). */
export function siteHref(id: Hex): string {
  return `/site/${id}`
}

/**
 * The path of a card's viewer. Audio has none: it plays in the mini-player wherever one is;
 * its link is the card. A download is offered by the file page (`/play/<cardId>`).
 */
export function viewerPath(item: { id: Hex; card: Pick<Card, 'kind' | 'content'> }): string {
  switch (viewerOf(item.card)) {
    case 'watch':
      return `/watch/${item.id}`
    case 'photo':
      return `/photo/${item.id}`
    case 'read':
    case 'pdf':
      return `/read/${item.id}`
    case 'site':
      return siteHref(item.id)
    case 'download':
      return `/play/${item.id}`
    default:
      return `/card/${item.id}`
  }
}

/** What the button that opens a card's viewer says. */
export function openLabel(v: Viewer): string {
  switch (v) {
    case 'watch':
    case 'listen':
      return 'Play'
    case 'photo':
      return 'View'
    case 'read':
    case 'pdf':
      return 'Read'
    case 'site':
      return 'Open site'
    case 'download':
      return 'Download'
    default:
      return 'Open'
  }
}

/**
 * The item after (`step` 1) or before (−1) the one with `id` in `items` among those `accept`
 * lets through; wraps around. Null when there is no other.
 * @example stepIn(items, current.id, 1, (c) => viewerOf(c.card) === 'photo')
 */
export function stepIn<T extends { id: string }>(
  items: readonly T[],
  id: string,
  step: 1 | -1,
  accept: (item: T) => boolean = () => true,
): T | null {
  const at = items.findIndex((c) => c.id === id)
  const n = items.length
  if (n === 0) return null
  const from = at < 0 ? (step === 1 ? -1 : 0) : at
  for (let k = 1; k <= n; k++) {
    const c = items[(((from + step * k) % n) + n) % n] as T
    if (c.id !== id && accept(c)) return c
  }
  return null
}
