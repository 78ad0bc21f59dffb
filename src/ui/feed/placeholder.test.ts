import { thumbHashToDataURL } from 'thumbhash'
import { describe, expect, it } from 'vitest'
import { SYNTHETIC_PLACEHOLDER } from '../../node/feed/synthetic.ts'
import { placeholderColour, placeholderNow, placeholderSoon } from './placeholder.ts'

const task = () => new Promise((r) => setTimeout(r, 0))

describe('placeholders', () => {
  it('draws a placeholder asked for soon in a later task, and keeps it', async () => {
    const bytes = Uint8Array.from(SYNTHETIC_PLACEHOLDER).reverse()
    const expected = thumbHashToDataURL(bytes)
    expect(placeholderSoon(bytes)).toBeUndefined()
    expect(placeholderSoon(Uint8Array.from(bytes))).toBeUndefined() // the same bytes: asked once
    await task()
    expect(placeholderSoon(bytes)).toBe(expected)
    expect(placeholderNow(Uint8Array.from(bytes))).toBe(expected)
  })

  it('draws at once when asked now, and soon finds it drawn', () => {
    const expected = thumbHashToDataURL(SYNTHETIC_PLACEHOLDER)
    expect(placeholderNow(SYNTHETIC_PLACEHOLDER)).toBe(expected)
    expect(placeholderSoon(SYNTHETIC_PLACEHOLDER)).toBe(expected)
  })

  it('draws a few per task, not all of a long list in one', async () => {
    const many = Array.from({ length: 300 }, (_, i) => {
      const b = Uint8Array.from(SYNTHETIC_PLACEHOLDER)
      b[8] = i & 255
      b[9] = i >> 8
      return b
    })
    for (const b of many) expect(placeholderSoon(b)).toBeUndefined()
    await task()
    const drawn = many.filter((b) => placeholderSoon(b) !== undefined).length
    expect(drawn).toBeGreaterThan(0)
    expect(drawn).toBeLessThan(many.length)
    await expect.poll(() => many.every((b) => placeholderSoon(b) !== undefined)).toBe(true)
  })

  it('gives the average colour of the box shown meanwhile', () => {
    expect(placeholderColour(SYNTHETIC_PLACEHOLDER)).toMatch(/^rgb\(\d+ \d+ \d+ \/ [\d.]+\)$/)
  })
})
