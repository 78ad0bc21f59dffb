import { expect, test } from '@playwright/test'
import { TOPICS } from '../src/shared/topics.ts'
import { nodeStatus, openNodes, rpc, useStack, waitForStatus } from './stack.ts'

const stack = useStack(test)

test('two tabs find each other, connect directly over WebRTC and exchange gossip', async ({
  browser,
}) => {
  const [a, b] = await openNodes(browser, stack(), 2)
  const idA = (await waitForStatus(a!.page, (s) => s.relay.state === 'connected')).peerId
  const idB = (await waitForStatus(b!.page, (s) => s.relay.state === 'connected')).peerId
  expect(idA).not.toBe(idB)

  // Each sees the other over a direct WebRTC connection, not a relayed circuit.
  for (const [page, other] of [
    [a!.page, idB],
    [b!.page, idA],
  ] as const) {
    const status = await waitForStatus(
      page,
      (s) => s.peers.some((p) => p.peerId === other && p.direct),
      { what: `a direct connection to ${other}` },
    )
    const conn = status.peers.find((p) => p.peerId === other && p.direct)!
    expect(conn.addr).toMatch(/\/webrtc\/p2p\//)
    expect(conn.addr.slice(conn.addr.lastIndexOf('/p2p-circuit') + 1)).not.toMatch(
      /^p2p-circuit\/p2p\//,
    )
  }
  await expect(a!.page.getByTestId('peers').locator(`[data-peer="${idB}"]`)).toHaveAttribute(
    'data-direct',
    'true',
  )

  // A message typed in A's UI arrives in B's.
  const hello = `hello from A ${Date.now()}`
  await expect
    .poll(
      async () => {
        await a!.page.getByLabel('Message').fill(hello)
        await a!.page.getByRole('button', { name: 'Send' }).click()
        return b!.page.getByTestId('gossip').textContent()
      },
      { timeout: 20_000, intervals: [1000] },
    )
    .toContain(hello)
  await Promise.all([a!.context.close(), b!.context.close()])
})

test('both tabs reconnect to a restarted relay by themselves', async ({ browser }) => {
  const [a, b] = await openNodes(browser, stack(), 2)
  for (const n of [a!, b!]) await waitForStatus(n.page, (s) => s.relay.state === 'connected')

  await stack().relay.stop()
  for (const n of [a!, b!])
    await waitForStatus(n.page, (s) => s.relay.state !== 'connected', { what: 'the relay to drop' })
  await expect(a!.page.getByTestId('net-chip')).toContainText('Reconnecting')

  await stack().restartRelay()
  for (const n of [a!, b!]) {
    await waitForStatus(n.page, (s) => s.relay.state === 'connected' && !!s.relay.reservation, {
      what: 'the relay connection and reservation to come back',
      timeout: 45_000,
    })
  }
  // Gossip flows again after the restart.
  const [ida, idb] = [(await nodeStatus(a!.page)).peerId, (await nodeStatus(b!.page)).peerId]
  expect(ida).not.toBe(idb)
  const text = `after restart ${Date.now()}`
  await expect
    .poll(
      async () => {
        await rpc(a!.page, 'node.publishGossip', { topic: TOPICS.chat, data: text })
        return b!.page.getByTestId('gossip').textContent()
      },
      { timeout: 30_000, intervals: [1000] },
    )
    .toContain(text)
  await Promise.all([a!.context.close(), b!.context.close()])
})

test('a second tab of the same profile shows where the node runs instead of starting one', async ({
  browser,
}) => {
  const [a] = await openNodes(browser, stack(), 1)
  await waitForStatus(a!.page, (s) => s.relay.state === 'connected')
  const second = await a!.context.newPage()
  await second.goto('/node')
  await expect(second.getByTestId('follower')).toContainText('already running in another tab')
  await expect(second.getByTestId('follower')).toContainText(stack().relay.url)
  // When the leading tab closes, the waiting tab becomes the node.
  await a!.page.close()
  await expect(second.getByTestId('peer-id')).toBeVisible({ timeout: 30_000 })
  await a!.context.close()
})
