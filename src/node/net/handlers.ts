/** RPC handlers of the `node.*` section of the RPC table (`src/shared/protocol/methods/`) over the network runtime. */
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import type { NetworkRuntime } from './runtime.ts'

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
  }
}
