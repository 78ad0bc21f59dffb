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
  await page.getByTestId('mnemonic').waitFor()
  const words = (await page.getByTestId('mnemonic').locator('li').allTextContents()).map((w) =>
    w.trim(),
  )
  expect(words).toHaveLength(12)
  await page.getByLabel('I have written the recovery phrase down').check()
  await page.getByRole('button', { name: 'Continue' }).click()
  const inputs = page.locator('[data-testid^="confirm-word-"]')
  for (let i = 0; i < (await inputs.count()); i++) {
    const input = inputs.nth(i)
    const position = Number((await input.getAttribute('data-testid'))!.replace('confirm-word-', ''))
    await input.fill(words[position - 1]!)
  }
  await page.getByRole('button', { name: 'Confirm and save' }).click()
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
