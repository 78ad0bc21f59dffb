/**
 * Asking before pinned or own items go, in Chromium, driven like a person would: a play the
 * node refuses for room opens the dialog with the node's suggestion ticked; too little ticked
 * cannot go on; "Remove and continue" has the node remove the chosen items and plays; Cancel
 * (or Escape) removes nothing and the play fails with the node's error.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Harness, openHarness } from '../../../scripts/test/svelteHarness.ts'

let harness: Harness | undefined
let page: Page

beforeAll(async () => {
  harness = await openHarness(new URL('./_roomHarness.ts', import.meta.url), ['dialog', 'app'])
  page = harness.page
}, 90_000)

afterAll(async () => {
  await harness?.close()
})

beforeEach(async () => {
  await page.evaluate(() => (window as unknown as { __reset: () => void }).__reset())
})

const calls = () => page.evaluate(() => (window as unknown as { __calls: string[] }).__calls)
const output = () => page.locator('output').textContent()
const candidate = (id: string) => page.locator(`[data-testid="room-candidate"][data-id="${id}"]`)

describe('the room dialog in Chromium', () => {
  it('lists what could go, suggests enough, and removes the chosen items before playing again', async () => {
    await page.getByRole('button', { name: 'Play', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Make room for this item?' })
    await dialog.waitFor()
    expect(await page.getByTestId('room-need').textContent()).toMatch(/24\.0 MiB.*10\.0 MiB/s)
    expect(await candidate('old-pin').isChecked()).toBe(true)
    expect(await candidate('mine').isChecked()).toBe(false)
    expect(await dialog.textContent()).toContain("deletes this node's copy only")

    // Too little ticked: the node could not make the rest of the room, so no going on.
    await candidate('old-pin').uncheck()
    await candidate('mine').check()
    expect(await page.getByTestId('room-confirm').isDisabled()).toBe(true)
    expect(await page.getByTestId('room-freed').textContent()).toMatch(/not enough yet/)
    await candidate('old-pin').check()
    await page.getByTestId('room-confirm').click()

    await expect.poll(output).toBe('played played')
    expect(await dialog.isVisible()).toBe(false)
    expect(await calls()).toEqual([
      'content.play {"cardId":"0x01"}',
      'seed.evict {"ids":["mine","old-pin"]}',
      'content.play {"cardId":"0x01"}',
    ])
  })

  it('Cancel or Escape removes nothing and the play fails with the node’s error', async () => {
    await page.getByRole('button', { name: 'Play', exact: true }).click()
    await page.getByTestId('room-cancel').click()
    await expect.poll(output).toBe('failed: StorageBudgetError')
    await page.getByRole('button', { name: 'Play', exact: true }).click()
    await page.getByRole('dialog').waitFor()
    await page.keyboard.press('Escape')
    await expect.poll(output).toBe('failed: StorageBudgetError')
    expect(await page.getByRole('dialog').isVisible()).toBe(false)
    expect(await calls()).toEqual([
      'content.play {"cardId":"0x01"}',
      'content.play {"cardId":"0x01"}',
    ])
  })

  it('a refusal with nothing to ask (larger than the budget) fails at once, without the dialog', async () => {
    await page.getByRole('button', { name: 'Play big' }).click()
    await expect.poll(output).toBe('failed: StorageBudgetError')
    expect(await page.getByRole('dialog').isVisible()).toBe(false)
    expect(await calls()).toEqual(['content.play {"cardId":"0x02"}'])
  })
})
