/**
 * The RPC surface the identity components need: the typed `call` of the page's node client.
 */
import type { RpcResult } from '../../shared/protocol/rpc.ts'
import type { Rpc } from '../lib/rpc-client.ts'

export type IdentityRpc = Pick<Rpc, 'call'>

export type IdentityReady = RpcResult<'identity.confirm'>

/** `count` distinct 1-based positions out of `total`, in ascending order. */
export function pickPositions(total: number, count: number): number[] {
  const all = Array.from({ length: total }, (_, i) => i + 1)
  const rnd = crypto.getRandomValues(new Uint32Array(total))
  for (let i = total - 1; i > 0; i--) {
    const j = rnd[i]! % (i + 1)
    ;[all[i], all[j]] = [all[j]!, all[i]!]
  }
  return all.slice(0, count).sort((a, b) => a - b)
}
