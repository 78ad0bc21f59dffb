/**
 * The identity components in Chromium, driven like a person would: create (the phrase shown
 * once as a picture drawn by the node, three words asked back), a wrong restore word, showing
 * the phrase in Backup, and a backup file download. Built with Vite + the Svelte plugin, served on a free port.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, openHarness } from '../../../scripts/test/svelteHarness.ts'

let harness: Harness | undefined
let page: Page

beforeAll(async () => {
  harness = await openHarness(new URL('./_harness.ts', import.meta.url), ['onboarding', 'backup'], {
    acceptDownloads: true,
  })
  page = harness.page
}, 90_000)

afterAll(async () => {
  await harness?.close()
})

/** The words the node drew for its n-th phrase picture (the harness records them). */
async function drawn(n: number): Promise<string[]> {
  await expect
    .poll(() => page.evaluate(() => (window as { __drawn?: unknown[] }).__drawn?.length ?? 0))
    .toBeGreaterThan(n)
  return page.evaluate((i) => (window as unknown as { __drawn: string[][] }).__drawn[i]!, n)
}

/** Dark pixels in the phrase picture under `testid`: text was drawn, not a blank canvas. */
function inkOf(testid: string): Promise<number> {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"] canvas`) as HTMLCanvasElement
    const copy = new OffscreenCanvas(canvas.width, canvas.height)
    const ctx = copy.getContext('2d')!
    ctx.drawImage(canvas, 0, 0)
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height)
    let ink = 0
    for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 255) < 128) ink++
    return ink
  }, testid)
}

describe('identity UI in Chromium', () => {
  it('rejects a wrong restore word with the word named', async () => {
    await page.getByRole('button', { name: 'Restore from recovery phrase' }).click()
    await page.getByLabel('Recovery phrase (12 or 24 words)').fill('abandon abandon zebraa')
    await page.getByRole('button', { name: 'Restore', exact: true }).click()
    await expect
      .poll(() => page.getByTestId('identity-error').textContent())
      .toContain('Word 3 "zebraa"')
    await page.getByRole('button', { name: 'Back', exact: true }).click()
  })

  it('creates an identity: phrase shown once as a picture, three words confirmed', async () => {
    await page.getByTestId('create').click()
    await page.getByTestId('mnemonic').waitFor()
    const words = await drawn(0)
    expect(words).toHaveLength(12)
    expect(await inkOf('mnemonic')).toBeGreaterThan(2000)
    // The words are pixels only: not in the page's text or markup.
    expect(await page.content()).not.toContain(`${words[0]} ${words[1]}`)
    expect(await page.content()).not.toContain(`>${words[5]}<`)
    const next = page.getByRole('button', { name: 'Continue' })
    expect(await next.isDisabled()).toBe(true)
    await page.getByLabel('I have written the recovery phrase down').check()
    await next.click()
    const inputs = page.locator('[data-testid^="confirm-word-"]')
    expect(await inputs.count()).toBe(3)
    for (const input of await inputs.all()) {
      const position = Number((await input.getAttribute('data-testid'))!.split('-').at(-1))
      await input.fill(words[position - 1]!)
    }
    await page.getByRole('button', { name: 'Confirm and save' }).click()
    // The success screen, with one way on.
    await expect.poll(() => page.getByTestId('identity-ready').textContent()).toContain('0x')
    expect(await page.getByRole('heading', { name: "You're all set" }).count()).toBe(1)
    expect(await page.getByTestId('onboarding-done').textContent()).toBe('Go to your feed')
    expect(await page.getByTestId('mnemonic').count()).toBe(0)
    // Backup shows the same phrase, only after the warning.
    await page.getByRole('button', { name: 'Show recovery phrase…' }).click()
    await page.getByTestId('reveal').click()
    await page.getByTestId('backup-mnemonic').waitFor()
    expect(await drawn(1)).toEqual(words)
    expect(await inkOf('backup-mnemonic')).toBeGreaterThan(2000)
  })

  it('checks a written copy later on the backup page: a wrong word is named, the right ones pass', async () => {
    const words = await drawn(0)
    await page.getByTestId('check-phrase').click()
    const again = page.locator('#backup [data-testid^="confirm-word-"]')
    expect(await again.count()).toBe(3)
    const positions: number[] = []
    for (const input of await again.all())
      positions.push(Number((await input.getAttribute('data-testid'))!.split('-').at(-1)))
    for (const [i, input] of (await again.all()).entries())
      await input.fill(i === 0 ? 'zzz' : words[positions[i]! - 1]!)
    await page.locator('#backup').getByRole('button', { name: 'Check', exact: true }).click()
    await expect
      .poll(() => page.locator('#backup [role="alert"]').textContent())
      .toContain(`Word ${positions[0]} does not match`)
    await again.first().fill(words[positions[0]! - 1]!)
    await page.locator('#backup').getByRole('button', { name: 'Check', exact: true }).click()
    await page.getByTestId('phrase-checked').waitFor()
  })

  it('downloads an encrypted backup file', async () => {
    await page.getByLabel('Passphrase', { exact: true }).fill('correct horse')
    await page.getByLabel('Repeat passphrase').fill('correct horse')
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download backup file' }).click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^hashcard-backup-[0-9a-f]{8}\.json$/)
    const text = await (await download.createReadStream()).toArray()
    const file = JSON.parse(Buffer.concat(text).toString('utf8'))
    expect(file).toMatchObject({ format: 'hashcard-backup', v: 1, kdf: { name: 'scrypt' } })
  })
})
