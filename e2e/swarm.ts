import type { Page } from '@playwright/test'
import { entropyToMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import type { FeedCard } from '../src/shared/card/feed.ts'
import type { SwarmStats, SwarmTorrentInfo } from '../src/shared/protocol/methods/swarm.ts'
import { rpc, swControlled, waitForStatus } from './stack.ts'

/**
 * What the swarm specs and drills do with a node: wait until it can swarm, publish bytes made
 * in the page and seed them, follow an item's slices until it completes.
 */

/** The relay is connected and the Service Worker controls the page (`/c/<id>` is served). */
export async function swarmReady(page: Page): Promise<void> {
  await waitForStatus(page, (s) => s.relay.state === 'connected', { timeout: 60_000 })
  await swControlled(page)
}

export function swarmStatus(page: Page, id: string): Promise<SwarmStats> {
  return rpc<SwarmStats>(page, 'swarm.status', { id })
}

/** Polls until every slice of `id` is stored; returns the last status. */
export async function waitComplete(page: Page, id: string, timeout = 120_000): Promise<SwarmStats> {
  const deadline = Date.now() + timeout
  let last: SwarmStats | undefined
  while (Date.now() < deadline) {
    last = await swarmStatus(page, id)
    if (last.present === last.count) return last
    await page.waitForTimeout(250)
  }
  const { have: _, ...summary } = last ?? ({} as SwarmStats)
  throw new Error(`the download did not complete; last status: ${JSON.stringify(summary)}`)
}

/** A fixed identity from 16 bytes of `byte` (each spec keeps to its own byte range). */
export async function fixedIdentity(page: Page, byte: number): Promise<void> {
  const mnemonic = entropyToMnemonic(new Uint8Array(16).fill(byte), wordlist)
  await rpc(page, 'identity.restore', { mnemonic })
}

/**
 * Publishes `size` random bytes made in the page and seeds them as a free item; returns the
 * torrent (with its key) and the SHA-256 (hex) of the plaintext.
 */
export async function publishRandom(
  page: Page,
  size: number,
): Promise<{ info: SwarmTorrentInfo & { key: string }; sha: string; id: string }> {
  const { id, sha } = await page.evaluate(async (size) => {
    const bytes = new Uint8Array(size)
    for (let at = 0; at < size; at += 65_536)
      crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)))
    const h = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
    const { node } = (
      globalThis as unknown as {
        hashcard: { node: { rpc: { call(m: string, p: unknown): Promise<{ id: string }> } } }
      }
    ).hashcard
    const published = await node.rpc.call('store.publishFile', {
      file: new Blob([bytes], { type: 'application/octet-stream' }),
      name: 'drill.bin',
      mime: 'application/octet-stream',
    })
    return {
      id: published.id,
      sha: Array.from(h, (x) => x.toString(16).padStart(2, '0')).join(''),
    }
  }, size)
  const info = await rpc<SwarmTorrentInfo & { key: string }>(page, 'swarm.seed', {
    itemId: id,
    free: true,
  })
  return { info, sha, id }
}

/** Fetches a free item published elsewhere. */
export function addFree(page: Page, info: SwarmTorrentInfo & { key: string }): Promise<unknown> {
  return rpc(page, 'swarm.add', { content: info.content, access: { kind: 'free', key: info.key } })
}

/** Adds a card's content to the node's swarm (as Play does); returns its torrent. */
export function addCardContent(page: Page, card: FeedCard): Promise<SwarmTorrentInfo> {
  const content = card.card.content
  if (!content?.infoHash) throw new Error(`card ${card.id} has no content`)
  const bare = (h: string) => h.slice(2)
  return rpc<SwarmTorrentInfo>(page, 'swarm.add', {
    cardId: card.id,
    content: {
      infoHash: bare(content.infoHash),
      contentRoot: bare(content.contentRoot),
      size: content.size,
      sliceSize: content.sliceSize,
      contentSalt: bare(content.contentSalt),
      name: content.name,
      mime: content.mime,
    },
  })
}
