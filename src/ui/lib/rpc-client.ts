import { AbortedError } from '../../shared/errors/common.ts'
import { deserializeError } from '../../shared/errors/wire.ts'
import type { SpendMethod } from '../../shared/protocol/methods/spend.ts'
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

/** The methods that spend nothing: `call` takes them. */
export type CallMethod = Exclude<RpcMethod, SpendMethod>

/** What a spend is for, as the confirmation says it: "A key to “Sunset”". */
export type SpendOptions = { what: string; signal?: AbortSignal }

/**
 * What UI components receive to talk to the node: `call` for what spends nothing, `spend` for
 * the methods that may send a transaction — the node then asks the person (a `spend.confirm`
 * event, shown by wallet/ConfirmSpend.svelte) before sending anything. `call` does not accept
 * those methods, so no UI path can send unconfirmed.
 */
export type Rpc = {
  call<M extends CallMethod>(
    method: M,
    params: RpcParams<M>,
    opts?: { signal?: AbortSignal },
  ): Promise<RpcResult<M>>
  spend<M extends SpendMethod>(
    method: M,
    params: RpcParams<M>,
    opts: SpendOptions,
  ): Promise<RpcResult<M>>
  /** Subscribes to node events; returns the unsubscribe function. */
  onEvent(listener: (e: NodeEvent) => void): () => void
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
  /** What each spend request in flight is for, by request id. */
  private readonly spends = new Map<number, string>()

  constructor(endpoint: RpcEndpoint) {
    this.endpoint = endpoint
    endpoint.addEventListener('message', (e) => this.onMessage(e.data))
  }

  call<M extends CallMethod>(
    method: M,
    params: RpcParams<M>,
    opts: { signal?: AbortSignal } = {},
  ): Promise<RpcResult<M>> {
    return this.request(method, params, opts.signal, false).promise
  }

  spend<M extends SpendMethod>(
    method: M,
    params: RpcParams<M>,
    opts: SpendOptions,
  ): Promise<RpcResult<M>> {
    const { id, promise } = this.request(method, params, opts.signal, true)
    this.spends.set(id, opts.what)
    return promise.finally(() => this.spends.delete(id))
  }

  /** What the spend request `id` is for (its `spend.confirm` events name it), if in flight. */
  spendOf(id: number): string | undefined {
    return this.spends.get(id)
  }

  private request<M extends RpcMethod>(
    method: M,
    params: RpcParams<M>,
    signal: AbortSignal | undefined,
    confirm: boolean,
  ): { id: number; promise: Promise<RpcResult<M>> } {
    const id = this.nextId++
    if (signal?.aborted) return { id, promise: Promise.reject(new AbortedError()) }
    const promise = new Promise<RpcResult<M>>((resolve, reject) => {
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
      this.endpoint.postMessage({
        type: 'request',
        id,
        method,
        params,
        ...(confirm ? { confirm: true } : {}),
      } as ToNode)
    })
    return { id, promise }
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
