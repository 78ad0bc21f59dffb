import { expect, test } from '@playwright/test'
import { openNodes, swControlled, useStack, waitForStatus } from './stack.ts'

const stack = useStack(test)

test('after one visit the app shell opens offline and says so', async ({ browser }) => {
  const [a] = await openNodes(browser, stack(), 1)
  const { page, context } = a!
  await waitForStatus(page, (s) => s.relay.state === 'connected')
  // The Service Worker controls the page and has precached.
  await swControlled(page)
  await page.evaluate(() => navigator.serviceWorker.ready)

  await context.setOffline(true)
  await page.reload()
  await expect(page.getByTestId('offline-banner')).toContainText('You are offline')
  await expect(page.getByTestId('net-chip')).toHaveText(/Offline/)
  // A share link route opens from the cache too.
  await page.goto('/card/0x1234')
  await expect(page.getByTestId('offline-banner')).toBeVisible()

  await context.setOffline(false)
  await page.goto('/')
  await expect(page.getByTestId('offline-banner')).toHaveCount(0, { timeout: 30_000 })
  await context.close()
})
