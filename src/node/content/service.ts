/**
 * The content service (DESIGN §1 `content/`): plaintext for this node. It registers the
 * handlers that read or write plaintext (handlers.ts) and serves the Service Worker's content
 * ports (portServer.ts), both through the one range reader, with keys asked of access.
 */
import { logger } from '../log.ts'
import type { Registrar } from '../rpc/server.ts'
import { siteIndexCache } from '../site/index.ts'
import { SLICE_WAIT_MS } from '../swarm/constants.ts'
import type { SwarmService } from '../swarm/service.ts'
import { type ContentHandlerDeps, createContentHandlers } from './handlers.ts'
import { type ContentSource, serveContentPort, warmSite } from './portServer.ts'

const log = logger('content')

export type ContentComponents = Omit<ContentHandlerDeps, 'swarm'> & {
  swarm: SwarmService
  access: ContentHandlerDeps['access'] & { itemOf(ref: string): Promise<string | null> }
  rpc?: Registrar
}

/** Factory in the libp2p style: `contentService()(components)`; registers its handlers. */
export function contentService() {
  return (c: ContentComponents) => {
    const { swarm, access } = c
    const sites = siteIndexCache()
    const source: ContentSource = {
      store: () => swarm.readStore(),
      resolve: async (id) => (await swarm.resolve(id)) ?? (await access.itemOf(id)),
      cipherFor: (itemId) => access.cipherFor(itemId),
      slice: (itemId, i, signal) => swarm.slice(itemId, i, signal),
      setPosition: (itemId, pos, end) => swarm.setPosition(itemId, pos, end),
      sites,
      siteOf: async (cardId) => {
        if (!/^0x[0-9a-fA-F]{64}$/.test(cardId) || !c.card) return null
        const item = await c.card(
          cardId.toLowerCase() as `0x${string}`,
          AbortSignal.timeout(10_000),
        )
        return item?.card.kind === 'site' ? (item.card.site ?? null) : null
      },
    }
    c.rpc?.register(
      createContentHandlers({
        ...c,
        swarm: async () => swarm,
        // A site opening: its index and entry document come first, while its frame starts.
        played: (item) => {
          if (item.card.kind !== 'site') return
          warmSite(source, sites, item.id, AbortSignal.timeout(SLICE_WAIT_MS)).catch((err: Error) =>
            log.warn('fetching the first files of %s: %s', item.id, err.message),
          )
        },
      }),
    )
    return {
      /**
       * Serves a Service Worker content port the page handed over (`/c/<cardId>`), or a site's
       * (`scope`: its card id, the only item that port serves).
       */
      serve(port: MessagePort, scope?: string): void {
        serveContentPort(port, source, scope)
      },
    }
  }
}
