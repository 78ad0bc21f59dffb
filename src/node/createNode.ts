/**
 * The composition root (DESIGN §1): every service of the node worker, built once, in
 * dependency order, each from its factory (`service(init)(components)`, js-libp2p's shape)
 * with the few components it needs; each factory registers the service's own RPC handlers.
 * Read this file to see what the node is made of, what starts first and how it stops.
 *
 *   identity → store → seed → network → account → pay → access → swarm → availability →
 *   previews → keys → feed → activity → content
 *
 * `start()` starts them in that order (each starts lazily; none waits for the others),
 * `stop()` stops them in reverse. An identity change is `restart()`: the network takes the
 * identity's peer key and the account reopens for it (access and keys follow the account).
 */
import type { AppConfig } from '../shared/config.ts'
import type { NodeEvent } from '../shared/protocol/rpc.ts'
import { accessService } from './access/service.ts'
import { accountService } from './account/service.ts'
import { activityService } from './activity/service.ts'
import { contentService } from './content/service.ts'
import { identityService } from './crypto/handlers.ts'
import { feedService } from './feed/service.ts'
import { keysService } from './keys/service.ts'
import { logger } from './log.ts'
import { networkService } from './net/handlers.ts'
import { fetchRelayTurn, fixedTurn, refreshTurn } from './net/turnCredentials.ts'
import { payLine } from './pay/handlers.ts'
import { payService } from './pay/service.ts'
import { loadDevicePeerKey } from './peer-key.ts'
import { MAX_PREVIEW_BYTES } from './previews/format.ts'
import { previewService } from './previews/handlers.ts'
import { openPreviewDb } from './previews/store.ts'
import type { PreviewClient } from './previews/types.ts'
import type { RpcServer } from './rpc/server.ts'
import { peerKeySigner } from './seed/availability.ts'
import { availabilityService } from './seed/availabilityService.ts'
import { nodeHoldings } from './seed/holdings.ts'
import { seedService } from './seed/service.ts'
import { browserEstimate, ensureRoom } from './store/quota.ts'
import { storeService } from './store/service.ts'
import { swarmService } from './swarm/handlers.ts'
import { openRecords } from './swarm/records.ts'

const log = logger('node')

/** What the node talks through: the page's RPC (requests in, events out). */
export type NodePorts = { rpc: Pick<RpcServer, 'register' | 'emit'> }

export type HashcardNode = {
  start(): Promise<void>
  stop(): Promise<void>
  /** The identity changed: the services bound to it start again under the new one. */
  restart(): Promise<void>
  /** Serves a Service Worker content port the page handed over (`/c/<cardId>`; a site's: `scope`). */
  serveContent(port: MessagePort, scope?: string): void
}

type Lifecycle = { name: string; start(): Promise<void> | void; stop(): Promise<void> | void }

/** A function that opens something on first call and hands out the same promise after. */
const once = <T>(open: () => Promise<T>) => {
  let p: Promise<T> | null = null
  return () => (p ??= open())
}

/**
 * Builds the node for `config`; nothing runs until {@link HashcardNode.start}.
 * @example const node = createNode(config, { rpc }); await node.start()
 */
export function createNode(config: AppConfig, ports: NodePorts): HashcardNode {
  const { rpc } = ports
  const emit = (event: NodeEvent) => rpc.emit(event)
  const announce = [config.relay.tracker]
  // The TURN credentials of /config.json expire (a day): fetched again before that, for the
  // swarm's and libp2p's new connections.
  const initialTurn = config.relay.turn
  const turn = initialTurn
    ? refreshTurn({ initial: initialTurn, fetchTurn: () => fetchRelayTurn() })
    : { ...fixedTurn(undefined), stop() {} }

  const identity = identityService()({ rpc, onChange: () => node.restart() })
  const store = storeService()({ rpc })
  const records = once(() => openRecords())
  // Before the swarm, whose caps and budget it serves; it reaches the swarm and the previews
  // it evicts from only once the node runs (holdings.ts), and eviction's value inputs — the
  // other seeders (the availability map) and the week's earnings per card (the pay ledger) —
  // through synchronous ports read only while it evicts.
  const seed = seedService({ dev: config.dev, turn: config.relay.turn !== undefined })({
    rpc,
    storage: globalThis.navigator?.storage,
    holdings: nodeHoldings({
      store: () => store.slices(),
      records,
      swarm: async () => swarm,
      previews: async () => previews,
      previewMaxBytes: MAX_PREVIEW_BYTES,
    }),
    seeders: (itemId) => availability.seeders(itemId),
    earned: (itemId) => pay.earned7d(access.map.peekCardOf(itemId)),
  })
  const network = networkService({ config, turn })({
    rpc,
    emit,
    peerKey: async () => (await identity.identity())?.peerKey ?? loadDevicePeerKey(),
    privacy: () => seed.privacy(),
  })
  const account = accountService({ chain: config.chain })({ identity, emit })
  // Its ports (pay.seller, pay.buyer) are what the swarm's hc_pay extension calls.
  const pay = payService({ dev: config.dev })({
    account,
    emit,
    rpc,
    priceOf: (itemId) => seed.priceOf(itemId),
  })
  const access = accessService()({ rpc, identity, store: () => store.slices(), account })
  const swarm = swarmService({ announce, dev: config.dev, turn })({
    rpc,
    access,
    store: () => store.slices(),
    records,
    cipherFor: (itemId) => access.cipherFor(itemId),
    keyFor: (itemId) => access.keyFor(itemId),
    emit,
    rates: () => seed.rates(),
    seedPolicy: () => seed.seedPolicy(),
    privacy: () => seed.privacy(),
    ensureRoom: seed.ensureRoom,
    ensureQuota: (bytes) => ensureRoom(browserEstimate, bytes),
    cardOf: (itemId) => access.map.cardOf(itemId),
    pay: () => ({ seller: pay.seller, buyer: pay.buyer }),
  })
  access.onCardKnown(() => swarm.cardsLearnt())
  // Announces what the swarm holds, signed with the peer key; folds what others announce.
  const availability = availabilityService()({
    rpc,
    network: {
      current: async () => {
        const net = await network.current()
        return {
          signer: peerKeySigner(net.peerKey),
          publish: (topic, data) => net.publishBytes(topic, data),
        }
      },
      validate: (topic, fn) => network.validate(topic, fn),
      onPeerGone: (fn) => network.onPeerGone(fn),
    },
    items: async () =>
      (await swarm.list()).map((s) => ({
        itemId: s.itemId,
        infoHash: s.infoHash,
        slices: s.count,
        bitfield: s.have,
      })),
    priceOf: (itemId) => seed.priceOf(itemId),
  })
  const previews = previewService({ announce, dev: config.dev })({
    rpc,
    // webtorrent's Torrent type (webtorrent.d.ts) omits `files`, which previews read.
    client: async () => (await swarm.webtorrent()) as unknown as PreviewClient,
    db: once(() => openPreviewDb()),
    emit,
    budget: seed.ensureRoom,
  })
  // The keys owner's deliveries are notifications too (the activity service hears them).
  const keys = keysService()({
    rpc,
    account,
    access,
    emit: (e) => {
      emit(e)
      if (e.kind === 'keys.update' && e.change === 'key')
        void activity.keyArrived(e.tokenId, e.cardId as `0x${string}`)
    },
  })
  const feed = feedService({ chain: config.chain, dev: config.dev })({
    rpc,
    identity: () => identity.identity(),
    requireIdentity: () => identity.require(),
    onGossip: (topic, fn) => network.onGossip(topic, fn),
    publishGossip: async (topic, data) => (await network.current()).publish(topic, data),
    emit,
    store: async () => ({
      store: await store.slices(),
      estimate: browserEstimate,
      budget: seed.ensureRoom,
    }),
    seed: (itemId, signal) => swarm.seed(itemId, { signal }),
    seedPreview: (files) => previews.seed(files),
    access: {
      creatorCipher: (salt) => access.creatorCipher(salt),
      keyFor: (itemId) => access.keyFor(itemId),
      linkCard: (l) => access.link(l),
    },
    health: (infoHash) => availability.health(infoHash),
    onEvents: (events) => activity.feedEvents(events),
    onReorg: (fromBlock) => activity.feedReorg(fromBlock),
  })
  // Notifications and the wallet's history: from the feed's events, the keys owner's
  // deliveries and its own follower of the market; titles from the feed index.
  const activity = activityService()({
    rpc,
    account,
    emit,
    card: async (cardId) => {
      const c = await feed.known(cardId)
      return c && { creator: c.creator, title: c.card.title }
    },
    payLines: () => (pay.live()?.lines.all() ?? []).map(payLine),
    feedPast: (accounts) => feed.eventsAbout(accounts),
  })
  const content = contentService()({
    rpc,
    store: () => store.slices(),
    estimate: browserEstimate,
    budget: seed.ensureRoom,
    access,
    swarm,
    card: (cardId, signal) => feed.card(cardId, signal),
  })

  const services: Lifecycle[] = [
    { name: 'store', start: () => store.start(), stop: () => store.stop() },
    { name: 'seed', start: () => seed.start(), stop: () => seed.stop() },
    { name: 'network', start: () => network.start(), stop: () => network.stop() },
    { name: 'account', start: () => account.start(), stop: () => account.stop() },
    { name: 'pay', start: () => pay.start(), stop: () => pay.stop() },
    { name: 'access', start: () => access.start(), stop: () => access.stop() },
    { name: 'swarm', start: () => swarm.start(), stop: () => swarm.stop() },
    { name: 'availability', start: () => availability.start(), stop: () => availability.stop() },
    { name: 'previews', start: () => previews.start(), stop: () => previews.stop() },
    { name: 'keys', start: () => keys.start(), stop: () => keys.stop() },
    { name: 'feed', start: () => feed.start(), stop: () => feed.stop() },
    { name: 'activity', start: () => activity.start(), stop: () => activity.stop() },
  ]

  const node: HashcardNode = {
    async start() {
      // Each starts lazily and waits for what it needs itself: none holds up the others.
      await Promise.all(
        services.map(async (s) => {
          try {
            await s.start()
          } catch (err) {
            const message = `The ${s.name} service failed to start: ${(err as Error).message}`
            log.error('%s', (err as Error).stack ?? message)
            emit({ kind: 'log', level: 'error', message })
          }
        }),
      )
    },
    async stop() {
      turn.stop()
      for (const s of [...services].reverse())
        await Promise.resolve(s.stop()).catch((err: Error) =>
          log.warn('%s: stop failed: %s', s.name, err.message),
        )
    },
    async restart() {
      await Promise.all([network.restart(), account.restart()])
    },
    serveContent: (port, scope) => content.serve(port, scope),
  }
  return node
}
