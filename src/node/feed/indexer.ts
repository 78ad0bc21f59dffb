/**
 * The feed indexer (DESIGN §4.2), a service after libp2p's shape: syncs CardRegistry events
 * with the chain log sync (batched, persisted cursor, confirmations, reorg re-read) and
 * listens to card and view gossip; everything lands in the feed database through
 * `applyEvents`, and every changed card is reported through `onChange`.
 */
import type { Address, PublicClient } from 'viem'
import type { Hex } from '../../shared/card/card.ts'
import type { FeedCard } from '../../shared/card/feed.ts'
import { BaseError } from '../../shared/errors/base.ts'
import type { GossipMessage } from '../../shared/protocol/methods/node.ts'
import { TOPICS } from '../../shared/topics.ts'
import { cardRegistryAbi } from '../chain/abi.ts'
import type { CursorStore } from '../chain/cursorStore.ts'
import { logSync, syncLogsOnce } from '../chain/logSync.ts'
import { logger } from '../log.ts'
import { eventsOfLogs, FEED_EVENTS, feedAbi, type Skipped } from './chainEvents.ts'
import type { FeedDb } from './db.ts'
import { type Domain, verifyCardGossip, verifyViewGossip } from './gossip.ts'
import { applyEvents, type FeedEvent, rollbackFrom } from './ingest.ts'

const log = logger('feed')

/** What the indexer needs from the rest of the node. */
export type FeedIndexerComponents = {
  db: FeedDb
  client: Pick<PublicClient, 'getBlock' | 'getBlockNumber' | 'getLogs'>
  cursors: CursorStore
  /** Subscribes to a gossip topic; returns the unsubscribe function. */
  onGossip(topic: string, fn: (m: GossipMessage) => void): () => void
  onChange(cards: FeedCard[]): void
  /** Follows of these creators were indexed (their profiles' counts may have changed). */
  onFollows?(creators: Hex[]): void
  onSkipped?(s: Skipped): void
  /**
   * The events of a batch, after they were applied (the activity service derives
   * notifications from them); awaited, so the log cursor moves after it, and never throws.
   */
  onEvents?(events: FeedEvent[]): Promise<void>
  /** After a reorg rolled the index back to before `fromBlock` (activity withdraws its news). */
  onReorg?(fromBlock: number): Promise<void>
}

export type FeedIndexerInit = {
  chainId: number
  cardRegistry: Address
  /** The KeyMarket, whose KeyRequested events count as verified views (absent: none). */
  keyMarket?: Address | undefined
  deployBlock: number
  /** Default 2; 0 on a dev chain that mines a block per transaction. */
  confirmations?: number
  pollIntervalMs?: number
  batchSize?: number
}

/** The most recent skipped events kept for `feed.status`. */
const KEEP_SKIPPED = 50

export class FeedIndexer {
  readonly domain: Domain
  readonly skipped: Skipped[] = []
  syncedTo = -1
  /** Why the last sync pass failed (e.g. `ChainUnreachableError`); null once one succeeds. */
  syncError: { name: string; message: string } | null = null
  private controller: AbortController | null = null
  private unsubscribe: (() => void)[] = []
  private loop: Promise<void> | null = null

  constructor(
    private readonly components: FeedIndexerComponents,
    private readonly init: FeedIndexerInit,
  ) {
    this.domain = {
      name: 'Hashcard',
      version: '1',
      chainId: init.chainId,
      verifyingContract: init.cardRegistry,
    }
  }

  get cursorKey(): string {
    return `${this.init.chainId}:feed`
  }

  private syncParams(signal: AbortSignal) {
    return {
      client: this.components.client,
      address: this.init.keyMarket
        ? [this.init.cardRegistry, this.init.keyMarket]
        : this.init.cardRegistry,
      abi: feedAbi,
      eventNames: FEED_EVENTS,
      cursorKey: this.cursorKey,
      store: this.components.cursors,
      fromBlock: BigInt(this.init.deployBlock),
      confirmations: this.init.confirmations ?? 2,
      batchSize: this.init.batchSize ?? 2_000,
      onLogs: (logs: Parameters<typeof eventsOfLogs>[0]) => this.ingestLogs(logs),
      onReorg: async (from: bigint) => {
        await rollbackFrom(this.components.db, Number(from))
        await this.components.onReorg?.(Number(from))
      },
      signal,
    }
  }

  start(): void {
    if (this.controller) return
    const controller = new AbortController()
    this.controller = controller
    const { onGossip } = this.components
    this.unsubscribe.push(
      onGossip(TOPICS.cards, (m) => void this.onCardGossip(m.data)),
      onGossip(TOPICS.views, (m) => void this.onViewGossip(m.data)),
    )
    this.loop = logSync({
      ...this.syncParams(controller.signal),
      pollIntervalMs: this.init.pollIntervalMs ?? 2_000,
      onPass: (r) => {
        this.syncedTo = Number(r.syncedTo)
        this.syncError = null
      },
      onError: (err) => {
        const { name, message } =
          err instanceof BaseError ? err : { name: 'ChainRequestError', message: String(err) }
        this.syncError = { name, message }
        log.warn('sync pass failed: %s', message)
      },
    })
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    this.controller = null
    for (const u of this.unsubscribe.splice(0)) u()
    await this.loop?.catch(() => {})
  }

  /** One sync pass now (tests, benchmarks, and a card link that cannot wait for the poll). */
  async syncOnce(signal: AbortSignal): Promise<void> {
    const r = await syncLogsOnce(this.syncParams(signal))
    this.syncedTo = Number(r.syncedTo)
  }

  private async ingestLogs(logs: Parameters<typeof eventsOfLogs>[0]): Promise<void> {
    const { events, skipped } = eventsOfLogs(logs, Date.now())
    for (const s of skipped) this.skip(s)
    const changed = await applyEvents(this.components.db, events)
    if (changed.length > 0) this.components.onChange(changed)
    await this.components.onEvents?.(events)
    const creators = new Set(events.flatMap((e) => (e.type === 'follow' ? [e.creator] : [])))
    if (creators.size > 0) this.components.onFollows?.([...creators])
  }

  private skip(s: Skipped): void {
    log.warn('skipped card %s in block %d: %s', s.cardId, s.block, s.reason)
    this.skipped.unshift(s)
    this.skipped.length = Math.min(this.skipped.length, KEEP_SKIPPED)
    this.components.onSkipped?.(s)
  }

  /** Verifies and indexes a gossiped card as pending. Returns false when it was refused. */
  async onCardGossip(data: string): Promise<boolean> {
    try {
      const { id, card, creator } = await verifyCardGossip(this.domain, data)
      const events: FeedEvent[] = [{ type: 'card', id, creator, card, seenAt: Date.now() }]
      const changed = await applyEvents(this.components.db, events)
      if (changed.length > 0) this.components.onChange(changed)
      await this.components.onEvents?.(events)
      return true
    } catch (err) {
      log.warn('dropped a gossiped card: %s', (err as Error).message)
      return false
    }
  }

  async onViewGossip(data: string): Promise<boolean> {
    try {
      const v = await verifyViewGossip(this.domain, data)
      const changed = await applyEvents(this.components.db, [
        { type: 'view', cardId: v.cardId, viewer: v.viewer, at: v.at },
      ])
      if (changed.length > 0) this.components.onChange(changed)
      return true
    } catch (err) {
      log.warn('dropped a view receipt: %s', (err as Error).message)
      return false
    }
  }

  /**
   * Reads one card's CardPosted event straight from the chain (a share link on a fresh
   * profile), and the card's reactions; returns whether it was found.
   */
  async fetchCard(id: Hex, signal: AbortSignal): Promise<boolean> {
    const { client } = this.components
    const fromBlock = BigInt(this.init.deployBlock)
    const [posted, reacted] = await Promise.all([
      client.getLogs({
        address: this.init.cardRegistry,
        event: cardRegistryAbi.find(
          (e) => e.type === 'event' && e.name === 'CardPosted',
        ) as Extract<(typeof cardRegistryAbi)[number], { name: 'CardPosted' }>,
        args: { cardId: id },
        fromBlock,
        strict: true,
      }),
      client.getLogs({
        address: this.init.cardRegistry,
        event: cardRegistryAbi.find((e) => e.type === 'event' && e.name === 'Reacted') as Extract<
          (typeof cardRegistryAbi)[number],
          { name: 'Reacted' }
        >,
        args: { cardId: id },
        fromBlock,
        strict: true,
      }),
    ])
    signal.throwIfAborted()
    if (posted.length === 0) return false
    await this.ingestLogs([...posted, ...reacted] as unknown as Parameters<typeof eventsOfLogs>[0])
    return true
  }
}
