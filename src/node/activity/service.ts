/**
 * The activity service (issue #18 items 3–4): an account's notifications and its wallet
 * history. For each account context (like the keys and pay services) it opens the account's
 * activity store (db.ts) and the market follower (market.ts), and it hears the feed indexer's
 * events (follows, reactions, comments — mined or gossiped) and the keys owner's deliveries.
 * Every new entry is stored first, then told to the page as `activity.update` with the unread
 * count, so the header's bell follows without polling.
 *
 * Registers `activity.list`, `activity.markRead` and `activity.history`.
 */
import { InvalidInputError } from '../../shared/errors/common.ts'
import type { ActivityEntry, ShownEntry } from '../../shared/protocol/methods/activity.ts'
import type { PayLine } from '../../shared/protocol/methods/pay.ts'
import type { NodeEvent, RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import type { AccountContext } from '../account/service.ts'
import type { ChainContext } from '../chain/clients.ts'
import { getListingOfToken } from '../chain/reads.ts'
import type { FeedEvent } from '../feed/ingest.ts'
import { logger } from '../log.ts'
import type { Registrar } from '../rpc/server.ts'
import { type ActivityStore, openActivityStore } from './db.ts'
import { entriesOfFeedEvents, entriesOfMarketLogs, type MarketLog, type Me } from './entries.ts'
import { buildHistory } from './history.ts'
import { followMarket } from './market.ts'

const log = logger('activity')

/** The kinds derived from the feed indexer's events, and those from the market follower's logs. */
const FEED_KINDS: ReadonlySet<string> = new Set(['follow', 'reaction', 'comment'])
const MARKET_KINDS: ReadonlySet<string> = new Set([
  'sale',
  'royalty',
  'resale',
  'purchase',
  'claim',
  'cash',
])

type Hex = `0x${string}`

/** Entries per `activity.list` / `activity.history` page, by default and at most. */
const DEFAULT_LIMIT = 100
const MAX_LIMIT = 500
/** Block times remembered per session (a catch-up reads each block once). */
const BLOCK_TIMES = 512

export type ActivityComponents = {
  account: {
    context(): Promise<AccountContext | null>
    onChange(fn: () => Promise<void>): () => void
  }
  emit(event: NodeEvent): void
  /** A card as the feed index holds it (no chain read): its creator and title. */
  card(cardId: Hex): Promise<{ creator: Hex; title: string } | null>
  /** The pay ledger's lines of the open pay session (none without one). */
  payLines(): PayLine[]
  /** What the feed index already holds about these accounts (feed/service.ts eventsAbout). */
  feedPast?(accounts: Hex[]): Promise<FeedEvent[]>
}

export type ActivityInit = {
  /** IndexedDB name prefix (tests). */
  dbName?: string
  /** Runs the market follower (default true; unit tests feed logs themselves). */
  followMarket?: boolean
}

/** One account's activity: its store, its addresses, its follower. */
type Session = {
  store: ActivityStore
  me: Me
  chain: ChainContext
  listings: Awaited<ReturnType<ActivityStore['listings']>>
  timeOf(block: number): Promise<number>
  follower: { stop(): Promise<void> } | null
}

type ActivityMethod = Extract<keyof RpcMethods, `activity.${string}`>
export type ActivityHandlers = {
  [M in ActivityMethod]: (params: RpcParams<M>) => Promise<RpcResult<M>>
}

/** Factory in the libp2p style: `activityService(init)(components)`; registers `activity.*`. */
export function activityService(init: ActivityInit = {}) {
  return (c: ActivityComponents & { rpc?: Registrar }) => {
    const activity = new ActivityService(c, init)
    c.rpc?.register(activity.handlers())
    return activity
  }
}

function limitOf(p: { limit?: number } | undefined): number {
  const limit = p?.limit ?? DEFAULT_LIMIT
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new InvalidInputError(`limit: expected an integer from 1 to ${MAX_LIMIT}.`, {
      details: String(limit),
    })
  return limit
}

export class ActivityService {
  private current: Promise<Session | null> | null = null
  private off: (() => void) | null = null
  /** Serialises writes, so a batch's unread count is told after that batch is stored. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly c: ActivityComponents,
    private readonly init: ActivityInit,
  ) {}

  async start(): Promise<void> {
    this.off ??= this.c.account.onChange(() => this.restart())
    await this.session().catch((err: Error) => log.warn('not started: %s', err.message))
  }

  async stop(): Promise<void> {
    this.off?.()
    this.off = null
    await this.close()
  }

  async restart(): Promise<void> {
    await this.close()
    await this.session().catch((err: Error) => log.warn('not started: %s', err.message))
  }

  /** The running session, or null when there is no chain or no identity. */
  session(): Promise<Session | null> {
    this.current ??= this.open().catch((err: unknown) => {
      this.current = null
      throw err
    })
    return this.current
  }

  private async close(): Promise<void> {
    const old = this.current
    this.current = null
    const s = await old?.catch(() => null)
    await s?.follower?.stop()
    s?.store.close()
  }

  private async open(): Promise<Session | null> {
    const ctx = await this.c.account.context()
    if (!ctx) return null
    const account = ctx.chain.account.address.toLowerCase()
    const store = await openActivityStore(account, this.init.dbName)
    const times = new Map<number, number>()
    const session: Session = {
      store,
      me: new Set([account, ctx.identity.address.toLowerCase()]),
      chain: ctx.chain,
      listings: await store.listings(),
      async timeOf(block) {
        let t = times.get(block)
        if (t === undefined) {
          const b = await ctx.chain.publicClient.getBlock({ blockNumber: BigInt(block) })
          t = Number(b.timestamp) * 1000
          if (times.size >= BLOCK_TIMES) times.clear()
          times.set(block, t)
        }
        return t
      },
      follower: null,
    }
    await this.backfill(session)
    if (this.init.followMarket !== false)
      session.follower = followMarket({
        chain: ctx.chain,
        cursors: ctx.cursors,
        fromBlock: BigInt(ctx.config.deployBlock),
        onLogs: (logs) => this.marketLogs(session, logs),
        onReorg: (from) => this.marketReorg(session, Number(from)),
        log,
      })
    log('started for %s', account)
    return session
  }

  /**
   * Once per account: the notifications the feed index already held when this account first
   * ran here (an identity restored on a node that had synced the past), stored as read — they
   * are history, not news; everything that arrives afterwards is unread.
   */
  private async backfill(s: Session): Promise<void> {
    if (!this.c.feedPast || (await s.store.backfilled())) return
    try {
      const past = await this.c.feedPast([...s.me] as Hex[])
      const entries = await entriesOfFeedEvents(past, {
        me: s.me,
        creatorOf: async (id) => (await this.c.card(id))?.creator ?? null,
        timeOf: s.timeOf,
      })
      await s.store.add(entries.map((e) => ({ ...e, read: true })))
      await s.store.setBackfilled()
    } catch (err) {
      log.warn('backfill failed (tried again next time): %s', (err as Error).message)
    }
  }

  /** Stores entries and tells the page about the new ones (one write at a time). */
  private record(s: Session, entries: ActivityEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve()
    const done = this.queue.then(async () => {
      const added = await s.store.add(entries)
      if (added.length > 0)
        this.c.emit({ kind: 'activity.update', unread: await s.store.unread(), added })
    })
    this.queue = done.catch(() => {})
    return done
  }

  /** A batch of the market follower's logs (awaited before its cursor moves). */
  async marketLogs(s: Session, logs: readonly MarketLog[]): Promise<void> {
    const before = s.listings.size
    const entries = await entriesOfMarketLogs(logs, {
      me: s.me,
      creatorOf: async (id) => (await this.c.card(id))?.creator ?? null,
      listings: s.listings,
      timeOf: s.timeOf,
      listingOfToken: (tokenId) => getListingOfToken(s.chain, { tokenId }),
    })
    if (s.listings.size !== before) await s.store.putListings(s.listings)
    await this.record(s, entries)
  }

  /**
   * A batch of the feed indexer's events (chain or gossip), after the feed applied them. Never
   * throws: a failure here must not hold up the feed.
   */
  async feedEvents(events: readonly FeedEvent[]): Promise<void> {
    try {
      const s = await this.session()
      if (!s) return
      const entries = await entriesOfFeedEvents(events, {
        me: s.me,
        creatorOf: async (id) => (await this.c.card(id))?.creator ?? null,
        timeOf: s.timeOf,
      })
      await this.record(s, entries)
    } catch (err) {
      log.warn('feed events not recorded: %s', (err as Error).message)
    }
  }

  /**
   * Withdraws what a reorg undid: entries of `kinds` mined from `fromBlock` on leave the store
   * and the page (`removed`); the log sync reads those blocks again, so an event still on the
   * new chain comes back (as new) and one that is gone stays gone.
   */
  private withdraw(s: Session, fromBlock: number, kinds: ReadonlySet<string>): Promise<void> {
    const done = this.queue.then(async () => {
      const removed = await s.store.dropFrom(fromBlock, kinds)
      if (removed.length === 0) return
      log('reorg from block %d: %d entries withdrawn', fromBlock, removed.length)
      this.c.emit({ kind: 'activity.update', unread: await s.store.unread(), added: [], removed })
    })
    this.queue = done.catch(() => {})
    return done
  }

  /** The market follower found a reorg: what its logs from `fromBlock` on made goes. */
  marketReorg(s: Session, fromBlock: number): Promise<void> {
    return this.withdraw(s, fromBlock, MARKET_KINDS)
  }

  /**
   * The feed indexer dropped what was mined from `fromBlock` on (a reorg): the follows,
   * reactions and comments it had told of go too. Never throws, like {@link feedEvents}.
   */
  async feedReorg(fromBlock: number): Promise<void> {
    try {
      const s = await this.session()
      if (s) await this.withdraw(s, fromBlock, FEED_KINDS)
    } catch (err) {
      log.warn('reorg not applied to activity: %s', (err as Error).message)
    }
  }

  /** The keys owner opened a delivered key (`keys.update` change `key`). */
  async keyArrived(tokenId: string, cardId: Hex): Promise<void> {
    const s = await this.session().catch(() => null)
    if (!s) return
    await this.record(s, [
      {
        id: `delivery:${tokenId}`,
        kind: 'delivery',
        at: Date.now(),
        cardId: cardId.toLowerCase() as Hex,
        tokenId,
        read: false,
      },
    ]).catch((err: Error) => log.warn('delivery not recorded: %s', err.message))
  }

  private async titled<T extends { cardId?: Hex | undefined; parentId?: Hex | undefined }>(
    entries: T[],
  ): Promise<(T & { title?: string })[]> {
    const titles = new Map<string, string | null>()
    for (const e of entries) {
      const id = e.parentId ?? e.cardId
      if (id && !titles.has(id)) titles.set(id, (await this.c.card(id))?.title ?? null)
    }
    return entries.map((e) => {
      const title = titles.get(e.parentId ?? e.cardId ?? '')
      return title ? { ...e, title } : e
    })
  }

  handlers(): ActivityHandlers {
    return {
      'activity.list': async (p) => {
        const limit = limitOf(p)
        const s = await this.session()
        if (!s) return { entries: [], unread: 0 }
        const before = p?.before
        if (before !== undefined && !Number.isFinite(before))
          throw new InvalidInputError('before: expected a time in ms.')
        const [rows, unread] = await Promise.all([
          s.store.notifications({ limit, before }),
          s.store.unread(),
        ])
        const entries: ShownEntry[] = rows.map((e) => ({ ...e, links: [] }))
        return { entries: await this.titled(entries), unread }
      },
      'activity.markRead': async (p) => {
        const ids = p?.ids
        if (ids !== undefined && (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string')))
          throw new InvalidInputError('ids: expected a list of entry ids.')
        const s = await this.session()
        if (!s) return { unread: 0 }
        const unread = await s.store.markRead(ids)
        this.c.emit({ kind: 'activity.update', unread, added: [] })
        return { unread }
      },
      'activity.history': async (p) => {
        const limit = limitOf(p)
        const s = await this.session()
        if (!s) return { entries: [] }
        const entries = buildHistory(await s.store.all(), this.c.payLines()).slice(0, limit)
        return { entries: await this.titled(entries) }
      },
    }
  }
}
