import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, type Page } from '@playwright/test'
import { createWalletClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import type { Stack } from '../scripts/stack.ts'
import { cardRegistryAbi } from '../src/node/chain/abi.ts'
import { answerSpend } from './spend.ts'
import { rpc, waitForStatus } from './stack.ts'

/**
 * What the feed and preview specs do as a person: take a fixed identity, get funds, publish
 * through the compose view, find a card in a list; and post raw card bytes as a stranger.
 */

/** anvil's dev account #1 (public test key): posts raw, possibly hostile, cards. */
const ANVIL_1 = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'

/** Posts raw bytes to the CardRegistry from anvil's account #1, unchecked. */
export function postRawCard(s: Stack, card: `0x${string}`): Promise<`0x${string}`> {
  const wallet = createWalletClient({
    account: privateKeyToAccount(ANVIL_1),
    chain: { ...foundry, id: s.chain.chainId },
    transport: http(s.rpcUrl),
  })
  return wallet.writeContract({
    address: s.chain.contracts.cardRegistry,
    abi: cardRegistryAbi,
    functionName: 'post',
    args: [card],
  })
}

/** Restores a fixed identity, funds it from the faucet, waits for the relay. */
export async function person(page: Page, mnemonic: string): Promise<string> {
  await waitForStatus(page, (s) => s.relay.state === 'connected')
  const { address } = await rpc<{ address: string }>(page, 'identity.restore', { mnemonic })
  // From the page: its host may be one only the browser resolves (`hashcard.localhost`).
  const ok = await page.evaluate(
    async (address) =>
      (await fetch('/faucet', { method: 'POST', body: JSON.stringify({ address }) })).ok,
    address,
  )
  expect(ok).toBe(true)
  await expect
    .poll(async () => BigInt((await rpc<{ balance: string }>(page, 'feed.account')).balance))
    .toBeGreaterThan(0n)
  await waitForStatus(page, (s) => s.relay.state === 'connected' && !!s.relay.reservation)
  return address.toLowerCase()
}

/**
 * Publishes through the compose view (waiting for the preview first), paid when a `price` in
 * ETH is given; returns the card id.
 */
export async function publishUi(
  page: Page,
  o: { title: string; text?: string; file?: [string, string, Buffer]; price?: string },
): Promise<string> {
  // In-app navigation: the node keeps running (a reload would restart it and its gossip mesh).
  await page.locator('header a[href="/compose"]').click()
  await expect(page.getByTestId('compose')).toBeVisible()
  if (o.file) {
    await page
      .getByTestId('file')
      .setInputFiles({ name: o.file[0], mimeType: o.file[1], buffer: o.file[2] })
    await expect(page.getByTestId('preview')).toBeVisible()
  }
  await page.getByTestId('title').fill(o.title)
  if (o.text) await page.getByTestId('text').fill(o.text)
  if (o.price) {
    await page.getByTestId('paid').check()
    await page.getByTestId('listing-fields').locator('input[name="price"]').fill(o.price)
  }
  await page.getByTestId('publish').click()
  // Posting, then (paid) listing: each transaction is confirmed first.
  for (let i = 0; i < (o.price ? 2 : 1); i++) await answerSpend(page)
  await expect(page).toHaveURL(/\/card\/0x[0-9a-f]{64}$/, { timeout: 30_000 })
  return page.url().split('/card/')[1] as string
}

export const cardIn = (page: Page, id: string) =>
  page.locator(`[data-testid="card"][data-card-id="${id}"]`)

/**
 * Publishes a free card holding `bytes` as a file of type `mime`, through the RPC the compose
 * view uses (no preview); returns the card id. The card is a `doc` titled with the file name
 * unless `o` says otherwise.
 *
 * The bytes reach the page as a file the browser reads from disk, as a picked file is: passed
 * as an argument they would cross the protocol as base64 and be decoded in the page, about
 * 3–4 s per 16 MiB here.
 */
export async function publishFile(
  page: Page,
  name: string,
  mime: string,
  bytes: Buffer,
  o: { kind?: string; title?: string; text?: string } = {},
): Promise<`0x${string}`> {
  const dir = await mkdtemp(join(tmpdir(), 'hashcard-publish-'))
  try {
    const path = join(dir, 'file')
    await writeFile(path, bytes)
    const input = await page.evaluateHandle(() =>
      Object.assign(document.createElement('input'), { type: 'file' }),
    )
    await input.setInputFiles(path)
    // The publish has read the file (stored and hashed it) by the time it resolves.
    return await input.evaluate(
      async (el, [name, mime, o]) => {
        const picked = el.files?.[0]
        if (!picked) throw new Error('the file input holds no file')
        const { node } = (
          globalThis as unknown as {
            hashcard: {
              node: { rpc: { call(m: string, p: unknown): Promise<{ cardId: string }> } }
            }
          }
        ).hashcard
        const r = await node.rpc.call('feed.publish', {
          jobId: crypto.randomUUID(),
          draft: {
            kind: o.kind ?? 'doc',
            title: o.title ?? name,
            ...(o.text ? { text: o.text } : {}),
            tags: [],
            access: { free: true },
          },
          file: new File([picked], name, { type: mime }),
        })
        return r.cardId as `0x${string}`
      },
      [name, mime, o] as const,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
