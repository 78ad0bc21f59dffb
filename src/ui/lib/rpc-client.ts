import { AbortedError } from '../../shared/errors/common.ts'
import { deserializeError } from '../../shared/errors/wire.ts'
import type {
  FromNode,
  NodeEvent,
  RpcMethod,
  RpcParams,
  RpcResult,
  ToNode,
} from '../../shared/protocol/rpc.ts'

export type RpcEndpoint = {
  postMessage(message: ToNode): void
  addEventListener(type: 'message', listener: (e: MessageEvent<FromNode>) => void): void
}

/** What UI components receive to talk to the node. */
export type Rpc = {
  call<M extends RpcMethod>(
    method: M,
    params: RpcParams<M>,
    opts?: { signal?: AbortSignal },
  ): Promise<RpcResult<M>>
}

/**
 * The page side of the protocol: matches replies to requests by id, forwards an
 * `AbortSignal` as an `abort` message, and rebuilds errors into the `BaseError` family.
 */
export class RpcClient implements Rpc {
  private nextId = 1
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: unknown): void }
  >()
  private readonly listeners = new Set<(e: NodeEvent) => void>()
  private readonly endpoint: RpcEndpoint

  constructor(endpoint: RpcEndpoint) {
    this.endpoint = endpoint
    endpoint.addEventListener('message', (e) => this.onMessage(e.data))
  }

  call<M extends RpcMethod>(
    method: M,
    params: RpcParams<M>,
    opts: { signal?: AbortSignal } = {},
  ): Promise<RpcResult<M>> {
    const { signal } = opts
    if (signal?.aborted) return Promise.reject(new AbortedError())
    const id = this.nextId++
    return new Promise<RpcResult<M>>((resolve, reject) => {
      const onAbort = () => {
        this.endpoint.postMessage({ type: 'abort', id })
        this.pending.delete(id)
        reject(new AbortedError())
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(v as RpcResult<M>)
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort)
          reject(e)
        },
      })
      this.endpoint.postMessage({ type: 'request', id, method, params } as ToNode)
    })
  }

  /** Subscribes to node events; returns the unsubscribe function. */
  onEvent(listener: (e: NodeEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private onMessage(msg: FromNode): void {
    if (msg.type === 'event') {
      for (const l of this.listeners) l(msg.event)
      return
    }
    const pending = this.pending.get(msg.id)
    if (!pending) return
    this.pending.delete(msg.id)
    if (msg.type === 'result') pending.resolve(msg.result)
    else pending.reject(deserializeError(msg.error))
  }
}
