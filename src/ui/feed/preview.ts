/**
 * Previews made in the page (it has the decoders): a ThumbHash placeholder and a tiny inline
 * WebP for images and video poster frames (grabbed from a `<video>`), the first lines for
 * text. Rendering decodes only bytes the card carries (DESIGN §6).
 */
import { rgbaToThumbHash, thumbHashToDataURL } from 'thumbhash'
import { LIMITS } from '../../shared/card/card.ts'

export type Preview = {
  placeholder?: Uint8Array
  image?: Uint8Array
  excerpt?: string
  url?: string
}

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

async function fromSource(source: CanvasImageSource, w: number, h: number): Promise<Preview> {
  const small = draw(source, w, h, 100)
  const ctx = small.getContext('2d') as OffscreenCanvasRenderingContext2D
  const rgba = ctx.getImageData(0, 0, small.width, small.height).data
  const placeholder = rgbaToThumbHash(small.width, small.height, rgba)
  // The largest WebP that fits the card's inline image limit.
  let image: Uint8Array | undefined
  for (const [size, quality] of [
    [160, 0.5],
    [120, 0.4],
    [80, 0.3],
  ] as const) {
    const blob = await draw(source, w, h, size).convertToBlob({ type: 'image/webp', quality })
    if (blob.size <= LIMITS.image) {
      image = new Uint8Array(await blob.arrayBuffer())
      break
    }
  }
  const big = await draw(source, w, h, 480).convertToBlob({ type: 'image/webp', quality: 0.8 })
  return { placeholder, ...(image ? { image } : {}), url: URL.createObjectURL(big) }
}

/** A poster frame from a video file: seeks to 10% (at most 1 s) and grabs the frame. */
async function videoFrame(file: Blob, signal: AbortSignal): Promise<Preview> {
  const url = URL.createObjectURL(file)
  const video = document.createElement('video')
  video.muted = true
  video.preload = 'auto'
  video.src = url
  try {
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
    return await fromSource(video, video.videoWidth, video.videoHeight)
  } finally {
    URL.revokeObjectURL(url)
  }
}

/** Makes the preview for a file of a given kind; `onProgress` gets 0…1. */
export async function makePreview(
  file: Blob,
  kind: string,
  signal: AbortSignal,
  onProgress: (f: number) => void = () => {},
): Promise<Preview> {
  onProgress(0)
  let out: Preview = {}
  if (kind === 'image' && file.type.startsWith('image/')) {
    const bitmap = await createImageBitmap(file)
    out = await fromSource(bitmap, bitmap.width, bitmap.height)
    bitmap.close()
  } else if (kind === 'video' && file.type.startsWith('video/')) {
    out = await videoFrame(file, signal)
  } else if (file.type.startsWith('text/') || kind === 'doc') {
    const head = await file.slice(0, 4096).text()
    out = { excerpt: firstLines(head) }
  }
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

/** An `<img src>` for a card's inline preview: the tiny image, else the placeholder. */
export function previewSrc(
  p: { placeholder?: Uint8Array | undefined; image?: Uint8Array | undefined } | undefined,
): string | null {
  if (!p) return null
  try {
    if (p.image) {
      let s = ''
      for (const b of p.image) s += String.fromCharCode(b)
      return `data:image/webp;base64,${btoa(s)}`
    }
    if (p.placeholder) return thumbHashToDataURL(p.placeholder)
  } catch {
    return null // a hostile placeholder draws nothing
  }
  return null
}
