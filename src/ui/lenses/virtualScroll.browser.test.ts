/**
 * VirtualScroll in Chromium: a list of 2,000 rows of varied heights keeps a few dozen in the
 * DOM wherever it is scrolled, measures the rows it shows (so the rows above the viewport add
 * up to where it is), asks for more near the end; a grid fits its columns to the width.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, openHarness } from '../../../scripts/test/svelteHarness.ts'

let harness: Harness | undefined
let page: Page

beforeAll(async () => {
  harness = await openHarness(new URL('./_scrollHarness.ts', import.meta.url), ['app'], {
    viewport: { width: 1000, height: 800 },
  })
  page = harness.page
}, 90_000)

afterAll(async () => {
  await harness?.close()
})

/** Waits two frames: the scroll is read on one, the rows rendered and measured on the next. */
const settle = () =>
  page.evaluate(
    () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null)))),
  )
const rendered = () =>
  page.$$eval('.cell', (cs) => cs.map((c) => Number((c as HTMLElement).dataset.index)))
const scroll = async (y: number) => {
  await page.evaluate((y) => scrollTo(0, y), y)
  await settle()
  await settle()
}

describe('VirtualScroll in Chromium', () => {
  it('renders only the rows near the viewport, wherever the list is scrolled', async () => {
    await page.locator('.cell').first().waitFor()
    await settle()
    const first = await rendered()
    expect(first[0]).toBe(0)
    expect(first.length).toBeLessThan(60) // (800 + 2 × 600 px) over rows of 30–70 px
    // The middle of the list: rows of item 1000's neighbourhood, none from the top.
    await scroll(50 * 1_000)
    const mid = await rendered()
    expect(mid.length).toBeLessThan(80)
    expect(Math.min(...mid)).toBeGreaterThan(500)
    // Consecutive, in order, with the row at the viewport's top among them.
    expect(mid).toEqual(mid.map((_, k) => (mid[0] as number) + k))
  })

  it('measures what it shows: a measured row sits where the real heights put it', async () => {
    // Scroll down through the first 300 rows, so all of them have been on screen.
    for (let y = 0; y < 300 * 50; y += 600) await scroll(y)
    // Row k's top is the sum of the real heights above it: 30 + (i % 5) × 10 px.
    const top = (k: number) =>
      Array.from({ length: k }, (_, i) => 30 + (i % 5) * 10).reduce((a, b) => a + b, 0)
    await scroll(top(250))
    const at = await page.evaluate(() => {
      const cell = document.querySelector('.cell[data-index="250"]') as HTMLElement
      const root = document.querySelector('[data-testid="lens-scroll"]') as HTMLElement
      return cell.getBoundingClientRect().top - root.getBoundingClientRect().top
    })
    expect(at).toBe(top(250))
  })

  it('asks for more near the end, and shows what arrives', async () => {
    const before = await page.evaluate(() => (window as unknown as { __more: number }).__more)
    await scroll(1e7)
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __count: () => number }).__count()))
      .toBeGreaterThan(2_000)
    expect(
      await page.evaluate(() => (window as unknown as { __more: number }).__more),
    ).toBeGreaterThan(before)
    await scroll(1e7)
    expect(Math.max(...(await rendered()))).toBeGreaterThan(2_000)
  })

  it('puts a page that arrives at once in the DOM a few rows per task, the top ones first', async () => {
    await page.goto(`${page.url().split('#')[0]}#empty`)
    await page.reload()
    await page.getByTestId('lens-scroll').waitFor({ state: 'attached' })
    // The task that brings the items puts one row in; the others follow in later tasks.
    expect(
      await page.evaluate(() => (window as unknown as { __fill: () => number }).__fill()),
    ).toBe(1)
    await expect.poll(async () => (await rendered()).length).toBeGreaterThan(20)
    await settle()
    const rows = await rendered()
    expect(rows).toEqual(rows.map((_, k) => k))
    expect(rows.length).toBeLessThan(60)
  })

  it('lays a grid out in as many columns of the minimum width as fit', async () => {
    await page.goto(`${page.url().split('#')[0]}#grid`)
    await page.reload()
    await page.locator('.cell').first().waitFor()
    await scroll(0) // a reload keeps the list's scroll position
    // 800 px wide, cells of at least 110 px with 4 px gaps: 7 columns, square cells.
    const root = page.getByTestId('lens-scroll')
    expect(await root.getAttribute('data-columns')).toBe('7')
    const box = await page.locator('.cell[data-index="8"]').boundingBox()
    expect(box?.width).toBeGreaterThanOrEqual(110)
    expect(Math.abs((box?.width ?? 0) - (box?.height ?? 0))).toBeLessThan(1)
    const cells = await rendered()
    expect(cells[0]).toBe(0)
    expect(cells.length % 7).toBe(0)
    expect(cells.length).toBeLessThan(200)
    await page.setViewportSize({ width: 390, height: 800 })
    await settle()
    await settle()
    expect(await root.getAttribute('data-columns')).toBe('3')
  })
})
