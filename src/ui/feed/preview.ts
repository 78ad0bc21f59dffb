/**
 * Previews made in the page (it has the decoders). Two parts (DESIGN §2):
 * - inline, in the card: a ThumbHash placeholder and a tiny WebP (≤ 2 KiB), or the first lines
 *   of a text;
 * - the real preview, seeded by the node as an unencrypted torrent the card names (`pv.ih`):
 *   a downscaled image (image.webp), a poster frame and a short silent clip of a video
 *   (poster.webp, clip.webm — clip.ts), a waveform of audio (poster.webp — waveform.ts), the
 *   first 64 KiB of a text (head.txt), the first page of a PDF drawn and the text of its first
 *   pages (image.webp, head.txt — pdfPreview.ts), the README and a screenshot of a ZIP
 *   (zipPreview.ts).
 *   Files are chosen by what the file is, whatever its kind.
 * Rendering decodes only bytes the card carries or names (DESIGN §6).
 */
import { rgbaToThumbHash } from 'thumbhash'
import { LIMITS } from '../../shared/card/card.ts'
import { MAX_PREVIEW_BYTES, type PreviewFileName } from '../../shared/card/previewFiles.ts'
import { recordClip } from './clip.ts'
import { isPdf, pdfFirstPages } from './pdfPreview.ts'
import { placeholderNow, placeholderSoon } from './placeholder.ts'
import { drawWaveform } from './waveform.ts'
import { isZip, zipFinds } from './zipPreview.ts'

export type PreviewFile = { name: PreviewFileName; bytes: Uint8Array }

export type Preview = {
  placeholder?: Uint8Array
  image?: Uint8Array
  excerpt?: string
  /** The real preview's files, for the preview torrent. */
  files?: PreviewFile[]
}

/** The real preview's images: the longer side, and the WebP quality. */
const REAL_SIDE = 1280
const REAL_QUALITY = 0.8
/** How much of a text goes in head.txt. */
const HEAD_BYTES = 64 * 1024

function draw(source: CanvasImageSource, w: number, h: number, max: number): OffscreenCanvas {
  const scale = Math.min(1, max / Math.max(w, h))
  const canvas = new OffscreenCanvas(
    Math.max(1, Math.round(w * scale)),
    Math.max(1, Math.round(h * scale)),
  )
  const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height)
  return canvas
}

async function webp(source: CanvasImageSource, w: number, h: number, max: number, q: number) {
  const blob = await draw(source, w, h, max).convertToBlob({ type: 'image/webp', quality: q })
  return new Uint8Array(await blob.arrayBuffer())
}

/** The inline part: ThumbHash and the largest WebP that fits the card's limit. */
async function inline(source: CanvasImageSource, w: number, h: number): Promise<Preview> {
  const small = draw(source, w, h, 100)
  const ctx = small.getContext('2d') as OffscreenCanvasRenderingContext2D
  const rgba = ctx.getImageData(0, 0, small.width, small.height).data
  const placeholder = rgbaToThumbHash(small.width, small.height, rgba)
  for (const [size, quality] of [
    [160, 0.5],
    [120, 0.4],
    [80, 0.3],
  ] as const) {
    const image = await webp(source, w, h, size, quality)
    if (image.length <= LIMITS.image) return { placeholder, image }
  }
  return { placeholder }
}

/** A video loaded and seeked to its poster frame (10% in, at most 1 s). */
async function loadVideo(url: string, signal: AbortSignal): Promise<HTMLVideoElement> {
  const video = document.createElement('video')
  video.muted = true
  video.playsInline = true
  video.preload = 'auto'
  video.src = url
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('The video did not load in 10 s.')), 10_000)
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    video.addEventListener('error', () => reject(new Error('The video cannot be decoded.')), {
      once: true,
    })
    video.addEventListener(
      'loadedmetadata',
      () => {
        video.currentTime = Math.min(1, (video.duration || 0) / 10)
        video.addEventListener(
          'seeked',
          () => {
            clearTimeout(timer)
            resolve()
          },
          { once: true },
        )
      },
      { once: true },
    )
  })
  return video
}

async function fromVideo(file: Blob, signal: AbortSignal, onProgress: (f: number) => void) {
  const url = URL.createObjectURL(file)
  try {
    const video = await loadVideo(url, signal)
    const [w, h] = [video.videoWidth, video.videoHeight]
    const out = await inline(video, w, h)
    const files: PreviewFile[] = [
      { name: 'poster.webp', bytes: await webp(video, w, h, REAL_SIDE, REAL_QUALITY) },
    ]
    onProgress(0.2)
    const clip = await recordClip(video, { signal, onProgress: (f) => onProgress(0.2 + 0.8 * f) })
    if (clip) files.push({ name: 'clip.webm', bytes: clip })
    video.removeAttribute('src')
    video.load()
    return { ...out, files }
  } finally {
    URL.revokeObjectURL(url)
  }
}

/** A text's excerpt, and its head as the real preview when `real`. */
function fromText(text: string, real: boolean): Preview {
  const head = text.replace(/\uFFFD+$/, '') // a character cut at the end
  const out: Preview = { excerpt: firstLines(head) }
  if (real && head.trim()) out.files = [{ name: 'head.txt', bytes: new TextEncoder().encode(head) }]
  return out
}

/** A PDF: its first page (image.webp) and the text of its first pages (head.txt). */
async function fromPdf(file: Blob): Promise<Preview> {
  const { page, text } = await pdfFirstPages(file, REAL_SIDE)
  const [w, h] = [page.width, page.height]
  const out = await inline(page, w, h)
  const bytes = new TextEncoder().encode(text).subarray(0, HEAD_BYTES)
  const head = text ? fromText(new TextDecoder().decode(bytes), true) : {}
  return {
    ...out,
    ...(head.excerpt ? { excerpt: head.excerpt } : {}),
    files: [
      { name: 'image.webp', bytes: await webp(page, w, h, REAL_SIDE, REAL_QUALITY) },
      ...(head.files ?? []),
    ],
  }
}

/** Software or a site in a ZIP: its README (head.txt) and a screenshot (image.webp). */
async function fromZip(file: Blob, signal: AbortSignal): Promise<Preview> {
  const finds = await zipFinds(file, signal)
  const readme = finds.readme
    ? fromText(new TextDecoder().decode(finds.readme.subarray(0, HEAD_BYTES)), true)
    : {}
  if (!finds.screenshot) return readme
  const bitmap = await createImageBitmap(new Blob([finds.screenshot.bytes.slice()])).catch(
    () => null,
  )
  if (!bitmap) return readme
  const [w, h] = [bitmap.width, bitmap.height]
  const out = await inline(bitmap, w, h)
  const image = await webp(bitmap, w, h, REAL_SIDE, REAL_QUALITY)
  bitmap.close()
  return {
    ...out,
    ...(readme.excerpt ? { excerpt: readme.excerpt } : {}),
    files: [{ name: 'image.webp', bytes: image }, ...(readme.files ?? [])],
  }
}

/** The longer side of a paid card's preview images: a teaser, not the work itself. */
const PAID_SIDE = 480

/**
 * The real preview as a paid card shares it: the preview torrent is public, so its images are
 * shrunk to {@link PAID_SIDE} px (the clip stays: three silent seconds).
 */
export async function forPaid(files: PreviewFile[]): Promise<PreviewFile[]> {
  return Promise.all(
    files.map(async (f) => {
      if (f.name !== 'image.webp' && f.name !== 'poster.webp') return f
      const bitmap = await createImageBitmap(new Blob([f.bytes.slice()], { type: 'image/webp' }))
      const bytes = await webp(bitmap, bitmap.width, bitmap.height, PAID_SIDE, REAL_QUALITY)
      bitmap.close()
      return { name: f.name, bytes }
    }),
  )
}

/** Keeps the real preview under the torrent's limit: the clip goes first, then the rest. */
function withinLimit(files: PreviewFile[]): PreviewFile[] {
  const out = [...files]
  const total = () => out.reduce((n, f) => n + f.bytes.length, 0)
  while (out.length > 0 && total() > MAX_PREVIEW_BYTES) {
    const clip = out.findIndex((f) => f.name === 'clip.webm')
    out.splice(clip >= 0 ? clip : out.length - 1, 1)
  }
  return out
}

/** Makes both parts of the preview for a file; `onProgress` gets 0…1. */
export async function makePreview(
  file: Blob,
  kind: string,
  signal: AbortSignal,
  onProgress: (f: number) => void = () => {},
): Promise<Preview> {
  onProgress(0)
  let out: Preview = {}
  if (file.type.startsWith('image/')) {
    const bitmap = await createImageBitmap(file)
    const [w, h] = [bitmap.width, bitmap.height]
    out = await inline(bitmap, w, h)
    out.files = [{ name: 'image.webp', bytes: await webp(bitmap, w, h, REAL_SIDE, REAL_QUALITY) }]
    bitmap.close()
  } else if (file.type.startsWith('video/')) {
    out = await fromVideo(file, signal, onProgress)
  } else if (file.type.startsWith('audio/')) {
    const wave = await drawWaveform(file)
    if (wave) {
      out = await inline(wave, wave.width, wave.height)
      const blob = await wave.convertToBlob({ type: 'image/webp', quality: REAL_QUALITY })
      out.files = [{ name: 'poster.webp', bytes: new Uint8Array(await blob.arrayBuffer()) }]
    }
  } else if (await isPdf(file)) {
    out = await fromPdf(file)
  } else if (isZip(file)) {
    out = await fromZip(file, signal)
  } else if (file.type.startsWith('text/') || kind === 'doc') {
    out = fromText(await file.slice(0, HEAD_BYTES).text(), file.type.startsWith('text/'))
  }
  if (out.files) out.files = withinLimit(out.files)
  onProgress(1)
  return out
}

/** The first lines of a text, up to the excerpt limit. */
export function firstLines(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .slice(0, 4)
    .join('\n')
  return [...lines].slice(0, LIMITS.excerpt).join('')
}

type InlinePreview = { placeholder?: Uint8Array | undefined; image?: Uint8Array | undefined }

function imageSrc(image: Uint8Array): string {
  let s = ''
  for (const b of image) s += String.fromCharCode(b)
  return `data:image/webp;base64,${btoa(s)}`
}

/** An `<img src>` for a card's inline preview: the tiny image, else the placeholder. */
export function previewSrc(p: InlinePreview | undefined): string | null {
  if (!p) return null
  if (p.image) return imageSrc(p.image)
  if (p.placeholder) return placeholderNow(p.placeholder)
  return null
}

/**
 * As `previewSrc`, for a feed row: a placeholder not drawn yet is undefined now and comes in a
 * later task (placeholder.ts), so the row is not kept waiting for it.
 */
export function previewSrcSoon(p: InlinePreview | undefined): string | null | undefined {
  if (!p) return null
  if (p.image) return imageSrc(p.image)
  if (p.placeholder) return placeholderSoon(p.placeholder)
  return null
}
