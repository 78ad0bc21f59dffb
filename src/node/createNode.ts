/**
 * The composition root (DESIGN §1): every service of the node worker, built once, in
 * dependency order, each from its factory with the few components it needs. Read this file
 * to see what the node is made of, what starts first and how it stops.
 *
 *   identity → store → network → account → access → swarm → previews → keys → feed → content
 *
 * `start()` starts them in that order (each starts lazily; none waits for the others),
 * `stop()` stops them in reverse. An identity change is `restart()`: the network takes the
 * identity's peer key and the account reopens for it (access and keys follow the account).
 */
import type { AppConfig } from '../shared/config.ts'
import type { NodeEvent } from '../shared/protocol/rpc.ts'
import { createAccessHandlers } from './access/handlers.ts'
import { accessService } from './access/service.ts'
import { accountService } from './account/service.ts'
import { createContentHandlers } from './content/handlers.ts'
import { serveContentPort } from './content/portServer.ts'
import { createIdentityHandlers } from './crypto/handlers.ts'
import { IdentityService } from './crypto/identityService.ts'
import { renderPhrase } from './crypto/phraseImage.ts'
import { FeedService } from './feed/service.ts'
import { createKeysHandlers } from './keys/handlers.ts'
import { keysService } from './keys/service.ts'
import { createWalletHandlers } from './keys/wallet.ts'
import { logger } from './log.ts'
import { createNodeHandlers } from './net/handlers.ts'
import { NetworkRuntime } from './net/runtime.ts'
import { loadDevicePeerKey } from './peer-key.ts'
import { createPreviewHandlers } from './previews/handlers.ts'
import { type PreviewClient, PreviewService } from './previews/service.ts'
import { openPreviewDb } from './previews/store.ts'
import type { RpcServer } from './rpc/server.ts'
import { browserEstimate } from './store/quota.ts'
import { storeService } from './store/service.ts'
import { createSwarmHandlers } from './swarm/handlers.ts'
import { openRecords } from './swarm/records.ts'
import { SwarmService } from './swarm/service.ts'

const log = logger('node')

/** What the node talks through: the page's RPC (requests in, events out). */
export type NodePorts = { rpc: Pick<RpcServer, 'register' | 'emit'> }

export type HashcardNode = {
  start(): Promise<void>
  stop(): Promise<void>
  /** The identity changed: the services bound to it start again under the new one. */
  restart(): Promise<void>
  /** Serves a Service Worker content port the page handed over (`/c/<cardId>`). */
  serveContent(port: MessagePort): void
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
  const emit = (event: NodeEvent) => ports.rpc.emit(event)
  const announce = [config.relay.tracker]

  const identity = new IdentityService()
  const store = storeService()()
  const network = new NetworkRuntime({
    config,
    peerKey: async () => (await identity.identity())?.peerKey ?? loadDevicePeerKey(),
    onStatus: (status) => emit({ kind: 'status', status }),
    onGossip: (message) => emit({ kind: 'gossip', message }),
  })
  const account = accountService({ chain: config.chain })({ identity, emit })
  const access = accessService()({ identity, store: () => store.slices(), account })
  const swarm = new SwarmService(
    {
      store: () => store.slices(),
      records: once(() => openRecords()),
      cipherFor: (itemId) => access.cipherFor(itemId),
      keyFor: (itemId) => access.keyFor(itemId),
      emit,
    },
    { announce, dev: config.dev },
  )
  const previews = new PreviewService(
    {
      // webtorrent's Torrent type (webtorrent.d.ts) omits `files`, which previews read.
      client: async () => (await swarm.webtorrent()) as unknown as PreviewClient,
      db: once(() => openPreviewDb()),
      emit,
    },
    { announce, dev: config.dev },
  )
  const keys = keysService()({ account, access, emit })
  const feed = new FeedService(
    {
      identity: () => identity.identity(),
      requireIdentity: () => identity.require(),
      onGossip: (topic, fn) => network.onGossip(topic, fn),
      publishGossip: async (topic, data) => (await network.current()).publish(topic, data),
      emit,
      store: async () => ({ store: await store.slices(), estimate: browserEstimate }),
      seed: (itemId, signal) => swarm.seed(itemId, { signal }),
      seedPreview: (files) => previews.seed(files),
      access: {
        creatorCipher: (salt) => access.creatorCipher(salt),
        keyFor: (itemId) => access.keyFor(itemId),
        linkCard: (l) => access.link(l),
      },
    },
    { chain: config.chain, dev: config.dev },
  )

  const rpc = ports.rpc
  rpc.register(createIdentityHandlers(identity, renderPhrase, () => node.restart()))
  rpc.register(store.handlers())
  rpc.register(createNodeHandlers(network))
  rpc.register(createWalletHandlers(account))
  rpc.register(
    createAccessHandlers({
      access,
      requireAccount: () => account.require(),
      cardKnown: () => keys.retryWaiting(),
    }),
  )
  rpc.register(createSwarmHandlers(swarm, access))
  rpc.register(createPreviewHandlers(async () => previews))
  rpc.register(createKeysHandlers(keys))
  rpc.register(feed.handlers())
  rpc.register(
    createContentHandlers({
      store: () => store.slices(),
      estimate: browserEstimate,
      access,
      swarm: async () => swarm,
      card: (cardId, signal) => feed.card(cardId, signal),
    }),
  )

  const services: Lifecycle[] = [
    { name: 'store', start: () => store.start(), stop: () => store.stop() },
    { name: 'network', start: () => network.start(), stop: () => network.stop() },
    { name: 'account', start: () => account.start(), stop: () => account.stop() },
    { name: 'access', start: () => access.start(), stop: () => access.stop() },
    { name: 'swarm', start: () => swarm.start(), stop: () => swarm.stop() },
    { name: 'previews', start: () => previews.start(), stop: () => previews.stop() },
    { name: 'keys', start: () => keys.start(), stop: () => keys.stop() },
    { name: 'feed', start: () => feed.start(), stop: () => feed.stop() },
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
      for (const s of [...services].reverse())
        await Promise.resolve(s.stop()).catch((err: Error) =>
          log.warn('%s: stop failed: %s', s.name, err.message),
        )
    },
    async restart() {
      await Promise.all([network.restart(), account.restart()])
    },
    serveContent(port) {
      serveContentPort(port, {
        store: () => swarm.readStore(),
        resolve: async (id) => (await swarm.resolve(id)) ?? (await access.itemOf(id)),
        cipherFor: (itemId) => access.cipherFor(itemId),
        slice: (itemId, i, signal) => swarm.slice(itemId, i, signal),
        setPosition: (itemId, pos) => swarm.setPosition(itemId, pos),
      })
    },
  }
  return node
}
