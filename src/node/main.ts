/**
 * The node worker's entry: it wires the services and serves the page over typed RPC. One
 * node per browser profile: the page starts this worker only while it holds the Web Lock.
 *
 * The page sends `{ type: 'init', config, debug }` first; the node then answers requests.
 */
import './net/install-rtc.ts'
import { type AppConfig, parseAppConfig } from '../shared/config.ts'
import { enableLogging, logger } from './log.ts'
import { createBrowserNode } from './net/libp2p.ts'
import { NetworkService } from './net/network.ts'
import { attachRtcBridge } from './net/rtc-bridge.ts'
import { loadDevicePeerKey } from './peer-key.ts'
import { type RpcPort, RpcServer } from './rpc/server.ts'

const log = logger('main')

type InitMessage = {
  type: 'init'
  config: AppConfig
  debug?: string | null
  /** The page's WebRTC bridge (src/ui/lib/rtc-host.ts). */
  rtc: MessagePort
}

const scope = self as unknown as RpcPort & {
  addEventListener(type: 'message', l: (e: MessageEvent<unknown>) => void, o?: object): void
}

const rpc = new RpcServer()

// Requests may arrive while the node is still starting: handlers wait for it.
let resolveNetwork: (n: NetworkService) => void = () => {}
let rejectNetwork: (err: unknown) => void = () => {}
const networkReady = new Promise<NetworkService>((resolve, reject) => {
  resolveNetwork = resolve
  rejectNetwork = reject
})

rpc.register({
  'node.status': async () => (await networkReady).status(),
  'node.publishGossip': async ({ topic, data }) => (await networkReady).publish(topic, data),
  'node.subscribe': async ({ topic }) => {
    ;(await networkReady).subscribe(topic)
    return undefined
  },
  'node.dial': async ({ peerId }, { signal }) => (await networkReady).dialDirect(peerId, signal),
})

async function start(init: InitMessage): Promise<void> {
  enableLogging(init.debug)
  attachRtcBridge(init.rtc)
  const config = parseAppConfig(init.config)
  const privateKey = await loadDevicePeerKey()
  const node = await createBrowserNode({ privateKey, dev: config.dev })
  const network = new NetworkService(node, {
    relay: config.relay,
    onStatus: (status) => rpc.emit({ kind: 'status', status }),
    onGossip: (message) => rpc.emit({ kind: 'gossip', message }),
  })
  await network.start()
  resolveNetwork(network)
  log('node %s started', node.peerId.toString())
}

scope.addEventListener(
  'message',
  (e) => {
    const msg = e.data as InitMessage
    if (msg?.type !== 'init') return
    rpc.attach(scope)
    start(msg).catch((err: Error) => {
      rejectNetwork(err)
      log.error('start failed: %s', err.stack ?? err.message)
      rpc.emit({ kind: 'log', level: 'error', message: `The node failed to start: ${err.message}` })
    })
  },
  { once: true },
)
