import type { Page } from 'playwright-core'

/**
 * Answers the spend confirmation (issue #18) the page shows next: every UI action that sends a
 * transaction asks first (src/ui/wallet/ConfirmSpend.svelte). Resolves once that question is
 * gone (the next one, e.g. the listing after a paid card's post, may follow). Shared by the
 * e2e specs and the benches that click through the UI.
 * @example await page.getByTestId('buy').click(); await answerSpend(page)
 */
export async function answerSpend(
  page: Page,
  { ok = true, timeout = 60_000 }: { ok?: boolean; timeout?: number } = {},
): Promise<void> {
  const dialog = page.locator('dialog[data-testid="spend-confirm"][open]')
  await dialog.waitFor({ timeout })
  const id = await dialog.getAttribute('data-ask')
  await dialog.getByTestId(ok ? 'spend-ok' : 'spend-cancel').click()
  await page
    .locator(`dialog[data-testid="spend-confirm"][open][data-ask="${id}"]`)
    .waitFor({ state: 'detached', timeout })
}
