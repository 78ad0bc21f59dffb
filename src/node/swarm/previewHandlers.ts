/**
 * RPC handlers of the `preview.*` section of the RPC table (`src/shared/protocol/methods/`), and
 * the worker's one preview service over the swarm's webtorrent client. Kept apart from handlers.ts
 * (the content swarm's) so the two evolve independently; src/node/feed/wire.ts starts it and
 * registers these.
 */
import type { AppConfig } from '../../shared/config.ts'
import type { NodeEvent, RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { swarmService } from './handlers.ts'
import { openPreviewDb, type PreviewDb } from './previewStore.ts'
import { type PreviewClient, PreviewService } from './previews.ts'

type PreviewMethod = Extract<keyof RpcMethods, `preview.${string}`>
export type PreviewHandlers = {
  [M in PreviewMethod]: (
    params: RpcParams<M>,
    ctx: { signal: AbortSignal },
  ) => Promise<RpcResult<M>>
}

/** How long `preview.get` waits at most, whatever the caller asks. */
const MAX_WAIT_MS = 120_000

/** Handlers over a preview service (tests pass their own). */
export function createPreviewHandlers(previews: () => Promise<PreviewService>): PreviewHandlers {
  return {
    'preview.seed': async (p) => (await previews()).seed(p.files, { unchecked: p.unchecked }),
    'preview.get': async (p, { signal }) =>
      (await previews()).get(p.infoHash, {
        signal,
        ...(p.timeoutMs ? { timeoutMs: Math.min(Math.max(p.timeoutMs, 1), MAX_WAIT_MS) } : {}),
      }),
    'preview.items': async () => (await previews()).list(),
  }
}

let db: Promise<PreviewDb> | null = null

/** Creates and starts the worker's preview service. */
export function startPreviews(config: AppConfig, emit: (e: NodeEvent) => void): PreviewService {
  const previews = new PreviewService(
    {
      // webtorrent's Torrent type (webtorrent.d.ts) omits `files`, which previews read.
      client: async () => (await (await swarmService()).webtorrent()) as unknown as PreviewClient,
      db: () => {
        db ??= openPreviewDb()
        return db
      },
      emit,
    },
    { announce: [config.relay.tracker], dev: config.dev },
  )
  void previews.start()
  return previews
}
