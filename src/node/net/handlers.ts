/** RPC handlers of the `node.*` section of the RPC table (`src/shared/protocol/methods/`) over the network runtime. */

import type { PrivateKey } from '@libp2p/interface'
import type { AppConfig } from '../../shared/config.ts'
import type { NodeEvent, RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import type { Registrar } from '../rpc/server.ts'
import type { PrivacySource } from './privacy.ts'
import { NetworkRuntime } from './runtime.ts'
import type { TurnSource } from './turnCredentials.ts'

type NodeMethod = Extract<keyof RpcMethods, `node.${string}`>
export type NodeHandlers = {
  [M in NodeMethod]: (params: RpcParams<M>, ctx: { signal: AbortSignal }) => Promise<RpcResult<M>>
}

export function createNodeHandlers(runtime: NetworkRuntime): NodeHandlers {
  const network = () => runtime.current()
  return {
    'node.status': async () => (await network()).status(),
    'node.publishGossip': async ({ topic, data }) => (await network()).publish(topic, data),
    'node.subscribe': async ({ topic }) => {
      ;(await network()).subscribe(topic)
      return undefined
    },
    'node.dial': async ({ peerId }, { signal }) => (await network()).dialDirect(peerId, signal),
    'node.peerAddrs': async ({ peerId }) => (await network()).peerAddrs(peerId),
  }
}

/**
 * Factory in the libp2p style: `networkService({ config })(components)`; the runtime's status
 * and gossip go out as events, and it registers `node.*`.
 */
export function networkService(init: { config: AppConfig; turn?: TurnSource }) {
  return (c: {
    peerKey: () => Promise<PrivateKey>
    emit(e: NodeEvent): void
    rpc?: Registrar
    /** Privacy mode (the seed settings); off without. */
    privacy?: () => Promise<PrivacySource>
  }) => {
    const runtime = new NetworkRuntime({
      config: init.config,
      peerKey: c.peerKey,
      ...(c.privacy ? { privacy: c.privacy } : {}),
      ...(init.turn ? { turn: init.turn } : {}),
      onStatus: (status) => c.emit({ kind: 'status', status }),
      onGossip: (message) => c.emit({ kind: 'gossip', message }),
    })
    c.rpc?.register(createNodeHandlers(runtime))
    return runtime
  }
}
