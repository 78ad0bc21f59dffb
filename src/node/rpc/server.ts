import { AbortedError, InvalidInputError } from '../../shared/errors/common.ts'
import { serializeError } from '../../shared/errors/wire.ts'
import type { ConfirmSpend, SpendQuote } from '../../shared/protocol/methods/spend.ts'
import type {
  FromNode,
  NodeEvent,
  RpcMethod,
  RpcParams,
  RpcResult,
  ToNode,
} from '../../shared/protocol/rpc.ts'
import { logger } from '../log.ts'

const log = logger('rpc')

/**
 * What a handler gets besides its params: the request's signal, and `confirm` when the page
 * asked to confirm spends (methods/spend.ts): write operations take it as `confirm`.
 */
export type RpcContext = { signal: AbortSignal; confirm?: ConfirmSpend | undefined }

export type RpcHandler<M extends RpcMethod> = (
  params: RpcParams<M>,
  ctx: RpcContext,
) => Promise<RpcResult<M>>

/** Handlers for some of the methods; domains export one such object each. */
export type RpcHandlers<M extends RpcMethod = RpcMethod> = { [K in M]: RpcHandler<K> }

/** Where a service registers the RPC handlers it serves (the node's RpcServer). */
export type Registrar = { register(handlers: Partial<RpcHandlers>): void }

export type RpcPort = {
  postMessage(message: FromNode): void
  addEventListener(type: 'message', listener: (e: MessageEvent<unknown>) => void): void
}

/** Methods the server answers itself (not a service's): the page's answers to its questions. */
export const SERVER_METHODS = ['spend.answer'] as const

/**
 * The node side of the page↔worker protocol: dispatches requests to handlers, each with its
 * own AbortController (an `abort` message cancels it), and replies with the result or a
 * serialized `BaseError`. Unknown or malformed messages get a typed error, never a crash.
 * A request made with `confirm` gets a `confirm` in its context that asks the page which made
 * it (a `spend.confirm` event) and waits for its `spend.answer`, or for the request's abort.
 */
export class RpcServer {
  private readonly handlers = new Map<string, RpcHandler<RpcMethod>>()
  private readonly inflight = new Map<number, AbortController>()
  private readonly ports = new Set<RpcPort>()
  private readonly questions = new Map<number, (ok: boolean) => void>()
  private nextQuestion = 1

  constructor() {
    this.register({
      'spend.answer': async (p) => {
        if (typeof p?.id !== 'number' || typeof p.ok !== 'boolean')
          throw new InvalidInputError('spend.answer: expected { id: number, ok: boolean }.')
        this.questions.get(p.id)?.(p.ok)
        return undefined
      },
    })
  }

  register(handlers: Partial<RpcHandlers>): void {
    for (const [method, handler] of Object.entries(handlers))
      this.handlers.set(method, handler as RpcHandler<RpcMethod>)
  }

  /** Serves requests arriving on `port` and sends it every event from now on. */
  attach(port: RpcPort): void {
    this.ports.add(port)
    port.addEventListener('message', (e) => this.onMessage(port, e.data))
  }

  emit(event: NodeEvent): void {
    for (const port of this.ports) port.postMessage({ type: 'event', event })
  }

  private onMessage(port: RpcPort, data: unknown): void {
    const msg = data as ToNode
    // The worker's port also carries other protocols' messages (the init message, the
    // Service Worker's content port): only RPC requests and aborts are ours.
    if (typeof msg !== 'object' || msg === null) return
    if (msg.type !== 'request' && msg.type !== 'abort') return
    if (typeof msg.id !== 'number') {
      log.warn('dropped a malformed %s message', msg.type)
      return
    }
    if (msg.type === 'abort') {
      this.inflight.get(msg.id)?.abort(new AbortedError())
      return
    }
    const handler = this.handlers.get(msg.method)
    if (!handler) {
      const error = new InvalidInputError(`Unknown method "${String(msg.method)}".`)
      port.postMessage({ type: 'error', id: msg.id, error: serializeError(error) })
      return
    }
    const controller = new AbortController()
    this.inflight.set(msg.id, controller)
    const { signal } = controller
    const confirm: ConfirmSpend | undefined =
      msg.confirm === true ? (quote) => this.ask(port, msg.id, quote, signal) : undefined
    Promise.resolve()
      .then(() => handler(msg.params, confirm ? { signal, confirm } : { signal }))
      .then(
        (result) => port.postMessage({ type: 'result', id: msg.id, result }),
        (err: unknown) => {
          log('%s failed: %s', msg.method, (err as Error)?.message)
          port.postMessage({ type: 'error', id: msg.id, error: serializeError(err) })
        },
      )
      .finally(() => this.inflight.delete(msg.id))
  }

  /** Asks `port` to confirm a spend of its request `request`; false or the abort stop it. */
  private ask(
    port: RpcPort,
    request: number,
    quote: SpendQuote,
    signal: AbortSignal,
  ): Promise<boolean> {
    const id = this.nextQuestion++
    return new Promise<boolean>((resolve, reject) => {
      const onAbort = () => {
        this.questions.delete(id)
        reject(new AbortedError('The confirmation was cancelled.'))
      }
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      this.questions.set(id, (ok) => {
        signal.removeEventListener('abort', onAbort)
        this.questions.delete(id)
        resolve(ok)
      })
      port.postMessage({ type: 'event', event: { kind: 'spend.confirm', id, request, quote } })
    })
  }
}
