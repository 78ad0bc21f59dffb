/**
 * What a card's real preview may hold (DESIGN §2: the unencrypted torrent named by
 * `previewInfoHash`), shared by the page that makes it and the node that seeds and checks it
 * (src/node/previews/format.ts). The names say what a viewer may do with each file.
 *
 * | file | what | MIME |
 * |---|---|---|
 * | `image.webp` | a downscaled image (image cards, a screenshot) | image/webp |
 * | `poster.webp` | a poster frame (video) or a waveform (audio) | image/webp |
 * | `clip.webm` | a few silent seconds of video | video/webm |
 * | `head.txt` | the first KiB of a text document or a README | text/plain |
 */

/** The largest preview torrent a node makes or fetches (all files together). */
export const MAX_PREVIEW_BYTES = 4 * 1024 * 1024

export const PREVIEW_FILES = {
  'image.webp': 'image/webp',
  'poster.webp': 'image/webp',
  'clip.webm': 'video/webm',
  'head.txt': 'text/plain',
} as const
export type PreviewFileName = keyof typeof PREVIEW_FILES

export const isPreviewFileName = (n: string): n is PreviewFileName =>
  Object.hasOwn(PREVIEW_FILES, n)
