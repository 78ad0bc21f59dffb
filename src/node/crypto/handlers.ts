/**
 * RPC handlers of the identity section of the RPC table (`src/shared/protocol/methods/`); the node
 * worker's main wires `identityHandlers` in. One {@link IdentityService} per worker (one node per
 * profile).
 */
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { IdentityService } from './identityService.ts'
import { type RenderPhrase, renderPhrase } from './phraseImage.ts'

type IdentityMethod = Extract<keyof RpcMethods, `identity.${string}`>
type Handler<M extends IdentityMethod> = (
  params: RpcParams<M>,
  ctx: { signal: AbortSignal },
) => Promise<RpcResult<M>>
export type IdentityHandlers = { [M in IdentityMethod]: Handler<M> }

/**
 * Handlers over one identity service (tests pass their own). The phrase leaves only as an
 * image drawn by `render` (Node tests, which have no OffscreenCanvas, pass their own).
 */
export function createIdentityHandlers(
  service: IdentityService,
  render: RenderPhrase = renderPhrase,
): IdentityHandlers {
  return {
    'identity.state': async (_p, { signal }) => {
      const info = await service.info({ signal })
      return info ? { state: 'ready', ...info } : { state: 'none' }
    },
    'identity.create': async (p, { signal }) => {
      const { mnemonic, address } = await service.create(p?.words ?? 12, { signal })
      return { phrase: await render(mnemonic.split(' '), p?.scale ?? 1), address }
    },
    'identity.confirm': (p, { signal }) =>
      'later' in p ? service.keepPending({ signal }) : service.confirm(p.words, { signal }),
    'identity.restore': (p, { signal }) =>
      service.restore(p.mnemonic, p.replace ?? false, { signal }),
    'identity.importBackup': (p, { signal }) =>
      service.importBackup(p.text, p.passphrase, p.replace ?? false, { signal }),
    'identity.showPhrase': async (p, { signal }) => ({
      phrase: await render((await service.exportMnemonic({ signal })).split(' '), p?.scale ?? 1),
    }),
    'identity.exportBackup': (p, { signal }) => service.exportBackup(p.passphrase, { signal }),
  }
}

/** The worker's identity (other services read it through `identityService.require()`). */
export const identityService = new IdentityService()

export const identityHandlers: IdentityHandlers = createIdentityHandlers(identityService)
