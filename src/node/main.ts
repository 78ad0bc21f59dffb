/**
 * The node worker's entry: it wires the services and serves the page over typed RPC. One
 * node per browser profile: the page starts this worker only while it holds the Web Lock.
 *
 * The page sends the init message (src/shared/protocol/init.ts) first; requests that arrive
 * while the node is starting wait for it.
 */
import './net/install-rtc.ts'
import { registerAllErrors } from '../shared/errors/registry.ts'
import { type InitMessage, parseInitMessage } from '../shared/protocol/init.ts'
import type { RpcMethod } from '../shared/protocol/rpc.ts'
import { identityHandlers, identityService } from './crypto/handlers.ts'
import { wireFeed } from './feed/wire.ts'
import { createKeysHandlers } from './keys/handlers.ts'
import { keys } from './keys/instance.ts'
import { createWalletHandlers } from './keys/wallet.ts'
import { enableLogging, logger } from './log.ts'
import { attachRtcBridge } from './net/rtc-bridge.ts'
import { NetworkRuntime } from './net/runtime.ts'
import { loadDevicePeerKey } from './peer-key.ts'
import { type RpcPort, RpcServer } from './rpc/server.ts'
import { storeHandlers } from './store/handlers.ts'
import { CONTENT_PORT } from './swarm/contentProtocol.ts'
import { attachContentPort, startSwarm, swarmHandlers } from './swarm/handlers.ts'

const log = logger('main')
registerAllErrors()

const scope = self as unknown as RpcPort & {
  addEventListener(type: 'message', l: (e: MessageEvent<unknown>) => void, o?: object): void
}

const rpc = new RpcServer()

let resolveRuntime: (r: NetworkRuntime) => void = () => {}
const runtimeReady = new Promise<NetworkRuntime>((resolve) => {
  resolveRuntime = resolve
})
const network = async () => (await runtimeReady).current()

rpc.register({
  'node.status': async () => (await network()).status(),
  'node.publishGossip': async ({ topic, data }) => (await network()).publish(topic, data),
  'node.subscribe': async ({ topic }) => {
    ;(await network()).subscribe(topic)
    return undefined
  },
  'node.dial': async ({ peerId }, { signal }) => (await network()).dialDirect(peerId, signal),
})
rpc.register(withRestartOnIdentityChange(identityHandlers))
rpc.register(storeHandlers)
rpc.register(swarmHandlers)
rpc.register(createKeysHandlers(keys))
rpc.register(createWalletHandlers(keys))

/**
 * Creating, restoring or importing an identity changes the peer key: the network restarts
 * under the identity's key so the peer id is the one that follows the mnemonic.
 */
function withRestartOnIdentityChange(handlers: typeof identityHandlers): typeof identityHandlers {
  const changing = ['identity.confirm', 'identity.restore', 'identity.importBackup'] as const
  const wrapped = { ...handlers } as Record<RpcMethod, unknown>
  for (const method of changing) {
    const inner = handlers[method] as (p: never, c: { signal: AbortSignal }) => Promise<unknown>
    wrapped[method] = async (params: never, ctx: { signal: AbortSignal }) => {
      const result = await inner(params, ctx)
      void (await runtimeReady).restart()
      void keys.restart()
      return result
    }
  }
  return wrapped as typeof identityHandlers
}

function start(init: InitMessage): void {
  enableLogging(init.debug)
  attachRtcBridge(init.rtc)
  const { config } = init
  keys.setEmitter((event) => rpc.emit(event))
  keys.configure(config.chain)
  const runtime = new NetworkRuntime({
    config,
    peerKey: async () => (await identityService.identity())?.peerKey ?? loadDevicePeerKey(),
    onStatus: (status) => rpc.emit({ kind: 'status', status }),
    onGossip: (message) => rpc.emit({ kind: 'gossip', message }),
  })
  resolveRuntime(runtime)
  startSwarm(config, (event) => rpc.emit(event))
  wireFeed(rpc, config, runtime)
  runtime.current().catch((err: Error) => {
    log.error('start failed: %s', err.stack ?? err.message)
    rpc.emit({ kind: 'log', level: 'error', message: `The node failed to start: ${err.message}` })
  })
}

scope.addEventListener(
  'message',
  (e) => {
    const init = parseInitMessage(e.data)
    if (!init) return
    rpc.attach(scope)
    start(init)
  },
  { once: true },
)

// The page hands over a Service Worker content port (src/ui/swarm/contentPort.ts).
scope.addEventListener('message', (e) => {
  const msg = e.data as { type?: unknown; port?: MessagePort } | null
  if (msg?.type === CONTENT_PORT && msg.port) attachContentPort(msg.port)
})
