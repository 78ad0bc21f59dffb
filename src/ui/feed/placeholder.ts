/**
 * Cards' ThumbHash placeholders as `data:` URLs (DESIGN §2's inline preview), drawn once each
 * and kept. Decoding one into a PNG was the dearest part of a feed row (issue #18), so a row
 * asks with `placeholderSoon` and is made without it: the placeholder is drawn in a later task
 * (a few per task) and the row shows it then, on a box of its average colour meanwhile.
 */
import { createSubscriber } from 'svelte/reactivity'
import { thumbHashToAverageRGBA, thumbHashToDataURL } from 'thumbhash'

/** Placeholders kept. */
const KEEP = 500
/** How long one task may spend drawing placeholders (ms); it draws at least one. */
const DRAW_BUDGET_MS = 4

/** Drawn placeholders by their bytes (as a binary string): the URL, or null for no ThumbHash. */
const drawn = new Map<string, string | null>()
/** Placeholders asked for with `placeholderSoon` and not drawn yet. */
const waiting = new Map<string, Uint8Array>()
/** A task to draw `waiting` is scheduled. */
let drawing = false
/** Tells the readers of `placeholderSoon` that placeholders were drawn (while any read). */
let drew: (() => void) | null = null
const subscribe = createSubscriber((update) => {
  drew = update
  return () => {
    drew = null
  }
})

const keyOf = (bytes: Uint8Array): string => {
  let key = ''
  for (const b of bytes) key += String.fromCharCode(b)
  return key
}

function draw(key: string, bytes: Uint8Array): string | null {
  let src: string | null
  try {
    src = thumbHashToDataURL(bytes)
  } catch {
    src = null // a hostile placeholder draws nothing
  }
  if (drawn.size >= KEEP) drawn.delete(drawn.keys().next().value as string)
  drawn.set(key, src)
  return src
}

function drawWaiting(): void {
  const until = performance.now() + DRAW_BUDGET_MS
  for (const [key, bytes] of waiting) {
    waiting.delete(key)
    if (!drawn.has(key)) draw(key, bytes)
    if (performance.now() >= until) break
  }
  drawing = waiting.size > 0
  if (drawing) setTimeout(drawWaiting)
  drew?.()
}

/**
 * The placeholder's URL now (null for bytes that are no ThumbHash), drawing it if needed.
 * @example placeholderNow(card.preview.placeholder) // 'data:image/png;base64,…'
 */
export function placeholderNow(bytes: Uint8Array): string | null {
  const key = keyOf(bytes)
  const src = drawn.get(key)
  return src === undefined ? draw(key, bytes) : src
}

/**
 * The placeholder's URL if it was drawn before; else undefined now, and (reactively, in an
 * effect or a derived) the URL or null once a later task has drawn it.
 */
export function placeholderSoon(bytes: Uint8Array): string | null | undefined {
  subscribe()
  const key = keyOf(bytes)
  const src = drawn.get(key)
  if (src === undefined && !waiting.has(key)) {
    waiting.set(key, bytes)
    if (!drawing) {
      drawing = true
      setTimeout(drawWaiting)
    }
  }
  return src
}

/**
 * The placeholder's average colour as CSS, for the box shown until it is drawn.
 * @example placeholderColour(bytes) // 'rgb(40 120 130 / 1)'
 */
export function placeholderColour(bytes: Uint8Array): string {
  const { r, g, b, a } = thumbHashToAverageRGBA(bytes)
  const c = (x: number) => Math.round(255 * (Number.isFinite(x) ? x : 0))
  return `rgb(${c(r)} ${c(g)} ${c(b)} / ${Number.isFinite(a) ? a : 1})`
}
