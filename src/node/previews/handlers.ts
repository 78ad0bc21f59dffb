/**
 * RPC handlers of the `preview.*` section of the RPC table (`src/shared/protocol/methods/`) over the preview service
 * (service.ts), which shares the swarm's webtorrent client.
 */
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import type { Registrar } from '../rpc/server.ts'
import { type PreviewComponents, type PreviewInit, PreviewService } from './service.ts'

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

/** Factory in the libp2p style: `previewService(init)(components)`; registers `preview.*`. */
export function previewService(init: PreviewInit) {
  return (c: PreviewComponents & { rpc?: Registrar }) => {
    const previews = new PreviewService(c, init)
    c.rpc?.register(createPreviewHandlers(async () => previews))
    return previews
  }
}
