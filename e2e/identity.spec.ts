import { expect, test } from '@playwright/test'
import { nodeStatus, openNodes, rpc, useStack, waitForStatus } from './stack.ts'

const stack = useStack(test)

test('a new person creates an identity in the app; the node takes its stable peer id', async ({
  browser,
}) => {
  const [a] = await openNodes(browser, stack(), 1, '/')
  const { page } = a!
  const deviceId = (await waitForStatus(page, (s) => s.relay.state === 'connected')).peerId

  await page.getByTestId('create').click()
  // The phrase is a picture the node drew: the page never holds its words as text.
  await expect(page.getByTestId('mnemonic').locator('canvas')).toBeVisible()
  await page.getByLabel('I have written the recovery phrase down').check()
  await page.getByRole('button', { name: 'Continue' }).click()
  await expect(page.locator('[data-testid^="confirm-word-"]')).toHaveCount(3)
  // A wrong word is refused, naming its position; then the check is left for later.
  const first = page.locator('[data-testid^="confirm-word-"]').first()
  const position = (await first.getAttribute('data-testid'))!.replace('confirm-word-', '')
  for (const input of await page.locator('[data-testid^="confirm-word-"]').all())
    await input.fill('zzz')
  await page.getByRole('button', { name: 'Confirm and save' }).click()
  await expect(page.getByTestId('identity-error')).toContainText(`Word ${position} does not match`)
  await page.getByRole('button', { name: 'Skip the check, back up later' }).click()
  // Onboarding is done: home shows the account.
  await expect(page.getByTestId('address')).toContainText('0x')

  // The node restarts under the identity's key: a new peer id, back on the relay.
  const identity = await rpc(page, 'identity.state')
  const { peerId } = identity as { peerId: string; address: string }
  expect(peerId).not.toBe(deviceId)
  await waitForStatus(page, (s) => s.peerId === peerId && s.relay.state === 'connected', {
    what: 'the node to run under the identity key',
  })

  // A reload keeps the identity (the seed is stored encrypted) and the peer id.
  await page.goto('/')
  await expect(page.getByTestId('address')).toContainText((identity as { address: string }).address)
  expect((await waitForStatus(page, (s) => s.relay.state === 'connected')).peerId).toBe(peerId)
  expect((await nodeStatus(page)).peerId).toBe(peerId)
  await a!.context.close()
})
