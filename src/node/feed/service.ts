/**
 * The feed service of the node worker: owns the feed database and the indexer, and answers
 * the `feed.*` RPC methods. A factory with start/stop; the worker's main only wires it.
 */
import { type Address, createPublicClient, http, isAddress } from 'viem'
import type { Hex } from '../../shared/card/card.ts'
import type { FeedCard } from '../../shared/card/feed.ts'
import type { ChainConfig } from '../../shared/config.ts'
import { InvalidInputError } from '../../shared/errors/common.ts'
import type { GossipMessage } from '../../shared/protocol/methods/node.ts'
import type { PreviewFileInput } from '../../shared/protocol/methods/preview.ts'
import type { NodeEvent, RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { TOPICS } from '../../shared/topics.ts'
import { type ChainContext, createChainClients } from '../chain/clients.ts'
import { type CursorStore, openCursorStore } from '../chain/cursorStore.ts'
import { followCreator } from '../chain/followCreator.ts'
import { reactToCard } from '../chain/reactToCard.ts'
import type { Identity } from '../crypto/identity.ts'
import type { Registrar, RpcContext } from '../rpc/server.ts'
import type { PublishComponents } from '../store/publish.ts'
import { FEED_DB, type FeedDb, fromRow, openFeedDb } from './db.ts'
import { followList } from './followList.ts'
import { signViewGossip } from './gossip.ts'
import { FeedIndexer } from './indexer.ts'
import { applyEvents, type FeedEvent } from './ingest.ts'
import { type HealthOf, needsSeedersPage } from './needsSeeders.ts'
import { MAX_PEOPLE, profilesOf } from './profiles.ts'
import { type PublishCardComponents, publishCard } from './publishCard.ts'
import { queryFeed, searchCards } from './query.ts'
import {
  SYNTHETIC_PLACEHOLDER,
  seededRandom,
  syntheticEvents,
  syntheticWords,
} from './synthetic.ts'

type FeedMethod = Extract<keyof RpcMethods, `feed.${string}`>
export type FeedHandlers = {
  [M in FeedMethod]: (params: RpcParams<M>, ctx: RpcContext) => Promise<RpcResult<M>>
}

export type FeedServiceComponents = {
  identity(): Promise<Identity | null>
  requireIdentity(): Promise<Identity>
  onGossip(topic: string, fn: (m: GossipMessage) => void): () => void
  publishGossip(topic: string, data: string): Promise<unknown>
  emit(event: NodeEvent): void
  store(): Promise<PublishComponents>
  /** Seeds a stored item in the swarm (publish flow); resolves with its infoHash. */
  seed(itemId: string, signal: AbortSignal): Promise<{ infoHash: string }>
  /** Seeds a page-made preview as an unencrypted torrent; resolves with its infoHash. */
  seedPreview(files: PreviewFileInput[]): Promise<{ infoHash: string }>
  /** What publishing needs of access: the creator's cipher, a free key, the card's item. */
  access: Pick<PublishCardComponents, 'creatorCipher' | 'keyFor' | 'linkCard'>
  /** An item's health in the swarm (the availability map); cards go without it when absent. */
  health?: HealthOf
  /** Every indexed batch of events, mined or gossiped (the activity service's source). */
  onEvents?(events: FeedEvent[]): Promise<void>
  /** The index rolled back what was mined from `fromBlock` on (a reorg). */
  onReorg?(fromBlock: number): Promise<void>
}

export type FeedServiceInit = {
  chain: ChainConfig | null
  dev: boolean
  dbName?: string
  cursorDbName?: string
}

const idOf = (s: string): Hex => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(s)) throw new InvalidInputError('A card id is 32 bytes of hex.')
  return s.toLowerCase() as Hex
}
/** The most synthetic cards one `feed.devFill` indexes. */
const MAX_DEV_FILL = 200_000
/** Synthetic cards per `applyEvents` call. */
const DEV_FILL_CHUNK = 2_000

const addressOf = (s: string): Hex => {
  if (!isAddress(s)) throw new InvalidInputError('Not an address.', { details: s })
  return s.toLowerCase() as Hex
}

export class FeedService {
  private db: FeedDb | null = null
  private cursors: CursorStore | null = null
  private indexer: FeedIndexer | null = null
  private ready: Promise<void> | null = null
  private readonly publicClient

  constructor(
    private readonly c: FeedServiceComponents,
    private readonly init: FeedServiceInit,
  ) {
    this.publicClient = init.chain
      ? createPublicClient({
          transport: http(init.chain.rpcUrl),
          pollingInterval: init.dev ? 250 : 1000,
        })
      : null
  }

  start(): Promise<void> {
    this.ready ??= (async () => {
      this.db = await openFeedDb(this.init.dbName ?? FEED_DB)
      this.cursors = await openCursorStore(
        this.init.cursorDbName ? { dbName: this.init.cursorDbName } : {},
      )
      this.startIndexer()
    })()
    return this.ready
  }

  private startIndexer(): void {
    const chain = this.init.chain
    if (!chain || !this.publicClient || !this.db || !this.cursors) return
    this.indexer = new FeedIndexer(
      {
        db: this.db,
        client: this.publicClient,
        cursors: this.cursors,
        onGossip: this.c.onGossip,
        onChange: (cards) => this.changed(cards),
        onFollows: (creators) => this.c.emit({ kind: 'feed.follows', creators }),
        ...(this.c.onEvents ? { onEvents: this.c.onEvents } : {}),
        ...(this.c.onReorg ? { onReorg: this.c.onReorg } : {}),
      },
      {
        chainId: chain.chainId,
        cardRegistry: chain.contracts.cardRegistry,
        keyMarket: chain.contracts.keyMarket,
        deployBlock: chain.deployBlock,
        confirmations: this.init.dev ? 0 : 2,
        pollIntervalMs: this.init.dev ? 1_000 : 4_000,
      },
    )
    this.indexer.start()
  }

  async stop(): Promise<void> {
    await this.indexer?.stop()
    this.db?.close()
    this.cursors?.close()
    this.ready = null
  }

  /** Reports changed cards; a profile card is news about a person, not a card of any list. */
  private changed(changed: FeedCard[]): void {
    const cards = changed.filter((c) => c.card.kind !== 'profile')
    const people = [
      ...new Set(changed.flatMap((c) => (c.card.kind === 'profile' ? [c.creator] : []))),
    ]
    if (cards.length > 0) this.c.emit({ kind: 'feed.cards', cards: cards.map(this.withHealth) })
    if (people.length > 0) this.c.emit({ kind: 'feed.people', addresses: people })
  }

  /** A card with its content's health now, when the node knows health. */
  private readonly withHealth = (c: FeedCard): FeedCard => {
    const ih = c.card.content?.infoHash
    const health = ih ? this.c.health?.(ih) : null
    return health ? { ...c, health } : c
  }

  private async open(): Promise<FeedDb> {
    await this.start()
    return this.db as FeedDb
  }

  private async chainCtx(): Promise<{ ctx: ChainContext; id: Identity }> {
    const chain = this.init.chain
    if (!chain) throw new InvalidInputError('This node has no chain configured.')
    const id = await this.c.requireIdentity()
    const clients = createChainClients({
      rpcUrl: chain.rpcUrl,
      chainId: chain.chainId,
      account: id.account,
    })
    return { ctx: { ...clients, contracts: chain.contracts }, id }
  }

  private async following(): Promise<Hex[]> {
    const me = (await this.c.identity())?.address.toLowerCase() as Hex | undefined
    if (!me) return []
    const rows = await (await this.open()).getAllFromIndex('follows', 'follower', [me, 1])
    return rows.map((r) => r.creator)
  }

  /** A card as this node indexed it (no chain read), or null. */
  async known(id: Hex): Promise<FeedCard | null> {
    const row = await (await this.open()).get('cards', id.toLowerCase() as Hex)
    return row ? fromRow(row) : null
  }

  /**
   * What the index already holds about these accounts, as feed events: their followers, and
   * the reactions and replies to their cards (the activity service's backfill for an identity
   * that arrives after the feed had synced the past).
   */
  async eventsAbout(accounts: readonly Hex[]): Promise<FeedEvent[]> {
    const db = await this.open()
    const out: FeedEvent[] = []
    const bucket = (b: string) => IDBKeyRange.bound(`${b}|`, `${b}|\uffff`)
    for (const a of accounts) {
      for (const f of await db.getAllFromIndex('follows', 'creator', [a, 1]))
        out.push({ type: 'follow', ...f, following: true })
      for (const id of await db.getAllKeysFromIndex('cards', 'new', bucket(`creator:${a}`))) {
        const reactions = await db.getAll(
          'reactions',
          IDBKeyRange.bound([id, '', 0], [id, '\uffff', 255]),
        )
        for (const r of reactions) out.push({ type: 'reaction', ...r })
        for (const c of await db.getAllFromIndex('cards', 'new', bucket(`parent:${id}`)))
          out.push({
            type: 'card',
            id: c.id,
            creator: c.creator,
            card: c.card,
            block: c.block,
            seenAt: c.postedAt,
          })
      }
    }
    return out
  }

  /** A card by id: indexed, or fetched from the chain (a pending card is looked up there too). */
  async card(id: Hex, signal: AbortSignal): Promise<FeedCard | null> {
    const db = await this.open()
    const known = await db.get('cards', id)
    if (known?.status === 'mined' || !this.indexer) return known ?? null
    await this.indexer.fetchCard(id, signal)
    return (await db.get('cards', id)) ?? known ?? null
  }

  /** The RPC handlers of the `feed.*` section. */
  handlers(): FeedHandlers {
    return {
      'feed.query': async (q) => {
        const db = await this.open()
        if (q.lens === 'needs-seeders' && !q.parent && !q.creator)
          return needsSeedersPage(db, q, (ih) => this.c.health?.(ih) ?? null)
        const me = (await this.c.identity())?.address.toLowerCase() as Hex | undefined
        const page = await queryFeed(db, q, { me, following: () => this.following() })
        return { ...page, items: page.items.map(this.withHealth) }
      },
      'feed.search': async (p) =>
        (await searchCards(await this.open(), String(p.q).slice(0, 200), p.limit)).map(
          this.withHealth,
        ),
      'feed.card': async (p, { signal }) => {
        const c = await this.card(idOf(p.id), signal)
        return c && this.withHealth(c)
      },
      'feed.profile': async (p) => {
        const address = addressOf(p.address)
        const db = await this.open()
        const me = (await this.c.identity())?.address.toLowerCase() as Hex | undefined
        const [followers, following, mine, [person]] = await Promise.all([
          db.countFromIndex('follows', 'creator', [address, 1]),
          db.countFromIndex('follows', 'follower', [address, 1]),
          me ? db.get('follows', [me, address]) : undefined,
          profilesOf(db, [address]),
        ])
        return {
          address,
          person: person ?? null,
          followers,
          following,
          followedByMe: mine?.following === 1,
        }
      },
      'feed.people': async (p) => {
        if (!Array.isArray(p.addresses) || p.addresses.length > MAX_PEOPLE)
          throw new InvalidInputError(`addresses: expected at most ${MAX_PEOPLE} addresses.`)
        return profilesOf(await this.open(), p.addresses.map(addressOf))
      },
      'feed.followList': async (p) =>
        followList(await this.open(), addressOf(p.address), p.side, p.limit),
      'feed.publish': async (p, { signal, confirm }) => {
        const { ctx, id } = await this.chainCtx()
        const db = await this.open()
        return publishCard(
          {
            chain: ctx,
            account: id.account,
            ...this.c.access,
            db,
            domain: this.domain(),
            store: this.c.store,
            seed: this.c.seed,
            seedPreview: this.c.seedPreview,
            publishGossip: this.c.publishGossip,
            onChange: (cards) => this.changed(cards),
          },
          {
            draft: p.draft,
            file: p.file,
            site: p.site,
            previewFiles: p.previewFiles,
            signal,
            confirm,
            onProgress: (stage, done, total) =>
              this.c.emit({ kind: 'feed.publish', jobId: p.jobId, stage, done, total }),
          },
        )
      },
      'feed.react': async (p, { signal, confirm }) => {
        const { ctx } = await this.chainCtx()
        await reactToCard(ctx, { cardId: idOf(p.id), kind: p.kind ?? 1, signal, confirm })
        void this.indexer?.syncOnce(signal).catch(() => {})
        return undefined
      },
      'feed.follow': async (p, { signal, confirm }) => {
        const { ctx } = await this.chainCtx()
        await followCreator(ctx, {
          creator: addressOf(p.address) as Address,
          follow: p.follow,
          signal,
          confirm,
        })
        void this.indexer?.syncOnce(signal).catch(() => {})
        return undefined
      },
      'feed.view': async (p) => {
        const id = await this.c.requireIdentity()
        const data = await signViewGossip(
          id.account,
          this.domain(),
          idOf(p.id),
          Math.floor(Date.now() / 1000),
        )
        await this.indexer?.onViewGossip(data)
        await this.c.publishGossip(TOPICS.views, data).catch(() => {})
        return undefined
      },
      'feed.account': async () => {
        const id = await this.c.requireIdentity()
        const balance = this.publicClient
          ? await this.publicClient.getBalance({ address: id.address })
          : 0n
        return { address: id.address, balance: balance.toString() }
      },
      'feed.status': async () => {
        await this.open()
        return {
          syncedTo: this.indexer?.syncedTo ?? -1,
          skipped: this.indexer?.skipped ?? [],
          error: this.indexer?.syncError ?? null,
        }
      },
      'feed.reset': async () => {
        const db = await this.open()
        await this.indexer?.stop()
        const tx = db.transaction(['cards', 'reactions', 'follows', 'views', 'meta'], 'readwrite')
        await Promise.all([...tx.objectStoreNames].map((n) => tx.objectStore(n).clear()))
        await tx.done
        if (this.indexer) await this.cursors?.delete(this.indexer.cursorKey)
        this.startIndexer()
        return undefined
      },
      'feed.devFill': async (p, { signal }) => {
        if (!this.init.dev)
          throw new InvalidInputError('Synthetic cards are for development chains only.')
        const count = p.count
        if (!Number.isInteger(count) || count < 1 || count > MAX_DEV_FILL)
          throw new InvalidInputError(`count: expected an integer from 1 to ${MAX_DEV_FILL}.`, {
            details: String(count),
          })
        const db = await this.open()
        const t0 = performance.now()
        const o = {
          now: Date.now(),
          words: syntheticWords(),
          rand: seededRandom(42),
          placeholder: SYNTHETIC_PLACEHOLDER,
        }
        for (let i = 0; i < count; i += DEV_FILL_CHUNK)
          await applyEvents(db, syntheticEvents(i, Math.min(count, i + DEV_FILL_CHUNK), o), {
            signal,
          })
        return { cards: count, ms: Math.round(performance.now() - t0) }
      },
    }
  }

  private domain() {
    const chain = this.init.chain
    if (!chain || !this.indexer) throw new InvalidInputError('This node has no chain configured.')
    return this.indexer.domain
  }
}

/** Factory in the libp2p style: `feedService(init)(components)`; registers `feed.*`. */
export function feedService(init: FeedServiceInit) {
  return (c: FeedServiceComponents & { rpc?: Registrar }) => {
    const feed = new FeedService(c, init)
    c.rpc?.register(feed.handlers())
    return feed
  }
}
