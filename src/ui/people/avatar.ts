/**
 * Profile avatars (src/shared/card/profile.ts): made in the page from a picture the person
 * picks — the centre square, downscaled to WebP until it fits the card's 2 KiB — and shown
 * from the card's bytes as a data URL (the app's CSP allows `data:` images; nothing is fetched).
 */
import { PROFILE_LIMITS } from '../../shared/card/profile.ts'

/** Side (px) and WebP quality, tried in order until the image fits. */
const TRIES = [
  [96, 0.7],
  [96, 0.5],
  [80, 0.45],
  [64, 0.4],
  [48, 0.35],
] as const

/** An `<img src>` for avatar bytes. */
export function avatarSrc(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return `data:image/webp;base64,${btoa(s)}`
}

/**
 * Makes the avatar of a picked picture; throws an Error with a sentence to show when the file
 * is not a picture or will not fit.
 * @example const avatar = await makeAvatar(input.files[0])
 */
export async function makeAvatar(file: Blob): Promise<Uint8Array> {
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file)
  } catch {
    throw new Error('That file is not a picture this browser can read.')
  }
  try {
    const side = Math.min(bitmap.width, bitmap.height)
    const sx = (bitmap.width - side) / 2
    const sy = (bitmap.height - side) / 2
    for (const [size, quality] of TRIES) {
      const canvas = new OffscreenCanvas(size, size)
      const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D
      ctx.drawImage(bitmap, sx, sy, side, side, 0, 0, size, size)
      const blob = await canvas.convertToBlob({ type: 'image/webp', quality })
      if (blob.size <= PROFILE_LIMITS.avatar) return new Uint8Array(await blob.arrayBuffer())
    }
  } finally {
    bitmap.close()
  }
  throw new Error('That picture does not shrink to 2 KiB; try a simpler one.')
}
