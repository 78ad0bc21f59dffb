/**
 * The recovery phrase as pixels (DESIGN §6: keys and the mnemonic never leave the node worker
 * unwrapped). The worker draws the numbered words on an OffscreenCanvas and hands the page an
 * ImageBitmap, so the phrase is never a string in the page: no script there (an extension, an
 * injected card, a devtools snippet) can read it from the DOM, a variable or a message. The
 * person reads it off the screen as before. The accessible way out is the encrypted backup
 * file, which is also what screen-reader users are pointed to.
 */
import type { PhraseImage } from '../../shared/protocol/methods/identity.ts'

/** Draws `words` (in order, numbered from 1) at `scale` device pixels per CSS pixel. */
export type RenderPhrase = (words: readonly string[], scale: number) => Promise<PhraseImage>

const COLS = 3
const CELL_W = 168
const CELL_H = 32
const PAD = 14

/** The worker's renderer (Chromium: OffscreenCanvas with 2D text in dedicated workers). */
export const renderPhrase: RenderPhrase = async (words, scale) => {
  const s = Math.min(4, Math.max(1, Number.isFinite(scale) ? scale : 1))
  const rows = Math.ceil(words.length / COLS)
  const width = COLS * CELL_W + 2 * PAD
  const height = rows * CELL_H + 2 * PAD
  const canvas = new OffscreenCanvas(Math.round(width * s), Math.round(height * s))
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('This browser cannot draw in a worker (no OffscreenCanvas 2D).')
  ctx.scale(s, s)
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, width, height)
  ctx.textBaseline = 'middle'
  ctx.font = '17px ui-monospace, "DejaVu Sans Mono", monospace'
  words.forEach((word, i) => {
    // Column by column, so the numbers read down like a written list.
    const x = PAD + Math.floor(i / rows) * CELL_W
    const y = PAD + (i % rows) * CELL_H + CELL_H / 2
    ctx.fillStyle = '#6b6b6b'
    ctx.fillText(`${String(i + 1).padStart(2, ' ')}.`, x, y)
    ctx.fillStyle = '#111111'
    ctx.fillText(word, x + 38, y)
  })
  return { image: canvas.transferToImageBitmap(), words: words.length, width, height }
}
