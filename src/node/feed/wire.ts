/**
 * Wires the feed service into the node worker: identity, gossip through the network runtime,
 * the slice store, the swarm (seeding), the preview torrents and the keys service for
 * publishing, events to the page. Called once by main when the node starts.
 */

import type { AppConfig } from '../../shared/config.ts'
import { identityService } from '../crypto/handlers.ts'
import { keys } from '../keys/instance.ts'
import type { NetworkRuntime } from '../net/runtime.ts'
import type { RpcServer } from '../rpc/server.ts'
import { defaultStore } from '../store/handlers.ts'
import { browserEstimate } from '../store/quota.ts'
import { swarmService } from '../swarm/handlers.ts'
import { createPreviewHandlers, startPreviews } from '../swarm/previewHandlers.ts'
import { FeedService } from './service.ts'

/** Creates the feed service, registers its RPC handlers and starts its indexer. */
export function wireFeed(rpc: RpcServer, config: AppConfig, runtime: NetworkRuntime): FeedService {
  // The preview torrents: cards name them, the publish flow seeds them.
  const previews = startPreviews(config, (event) => rpc.emit(event))
  rpc.register(createPreviewHandlers(async () => previews))
  const feed = new FeedService(
    {
      identity: () => identityService.identity(),
      requireIdentity: () => identityService.require(),
      onGossip: (topic, fn) => runtime.onGossip(topic, fn),
      publishGossip: async (topic, data) => (await runtime.current()).publish(topic, data),
      emit: (event) => rpc.emit(event),
      store: async () => ({ store: await defaultStore(), estimate: browserEstimate }),
      seed: async (itemId, signal) => (await swarmService()).seed(itemId, { signal }),
      seedPreview: (files) => previews.seed(files),
      registerCard: (reg) => keys.registerCard(reg),
    },
    { chain: config.chain, dev: config.dev },
  )
  rpc.register(feed.handlers())
  void feed.start()
  return feed
}
