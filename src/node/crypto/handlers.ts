/**
 * RPC handlers of the identity section of the RPC table (`src/shared/protocol/methods/`) over the node's one
 * {@link IdentityService} (one node per profile). Creating, restoring or importing an
 * identity calls `onChange`: the node restarts what depends on it (src/node/createNode.ts).
 */
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import type { Registrar } from '../rpc/server.ts'
import { IdentityService, type IdentityServiceInit } from './identityService.ts'
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
  onChange: () => Promise<void> = async () => {},
): IdentityHandlers {
  /** The identity changed: the reply waits for nothing but the change itself. */
  const changed = <T>(result: T): T => {
    void onChange()
    return result
  }
  return {
    'identity.state': async (_p, { signal }) => {
      const info = await service.info({ signal })
      return info ? { state: 'ready', ...info } : { state: 'none' }
    },
    'identity.create': async (p, { signal }) => {
      const { mnemonic, address } = await service.create(p?.words ?? 12, { signal })
      return { phrase: await render(mnemonic.split(' '), p?.scale ?? 1), address }
    },
    'identity.confirm': async (p, { signal }) =>
      changed(
        'later' in p
          ? await service.keepPending({ signal })
          : await service.confirm(p.words, { signal }),
      ),
    'identity.restore': async (p, { signal }) =>
      changed(await service.restore(p.mnemonic, p.replace ?? false, { signal })),
    'identity.importBackup': async (p, { signal }) =>
      changed(await service.importBackup(p.text, p.passphrase, p.replace ?? false, { signal })),
    'identity.checkPhrase': async (p, { signal }) => {
      if (!Array.isArray(p?.words)) throw new RangeError('words: expected a list of words')
      return service.checkPhrase(p.words, { signal })
    },
    'identity.showPhrase': async (p, { signal }) => ({
      phrase: await render((await service.exportMnemonic({ signal })).split(' '), p?.scale ?? 1),
    }),
    'identity.exportBackup': (p, { signal }) => service.exportBackup(p.passphrase, { signal }),
  }
}

/**
 * Factory in the libp2p style: `identityService(init)(components)`; registers `identity.*`.
 * `onChange` runs after an identity was created, restored or imported.
 */
export function identityService(init: IdentityServiceInit = {}) {
  return (c: { onChange: () => Promise<void>; rpc?: Registrar }) => {
    const identity = new IdentityService(init)
    c.rpc?.register(createIdentityHandlers(identity, renderPhrase, c.onChange))
    return identity
  }
}
