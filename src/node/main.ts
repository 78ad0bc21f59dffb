/**
 * The node worker's entry: it parses the page's `init` message, builds the node
 * (createNode.ts) and serves the page over typed RPC. One node per browser profile: the page
 * starts this worker only while it holds the Web Lock. Requests that arrive while the node is
 * starting wait for the services they need.
 */
import './net/install-rtc.ts'
import { type AppConfig, parseAppConfig } from '../shared/config.ts'
import { registerErrors } from '../shared/errors.ts'
import { CONTENT_PORT, type ContentPortOffer } from '../shared/protocol/content.ts'
import { createNode, type HashcardNode } from './createNode.ts'
import { enableLogging } from './log.ts'
import { attachRtcBridge } from './net/rtc-bridge.ts'
import { NodeStartingError } from './net/runtime.ts'
import { type RpcPort, RpcServer } from './rpc/server.ts'

registerErrors({ NodeStartingError })

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

/** Content ports the page handed over before `init` (it may, once the SW is ready). */
const early: MessagePort[] = []
let node: HashcardNode | null = null

scope.addEventListener('message', (e) => {
  const msg = e.data as Partial<InitMessage> | Partial<ContentPortOffer> | null
  // The page hands over a Service Worker content port (src/ui/swarm/contentPort.ts).
  if (msg?.type === CONTENT_PORT && 'port' in msg && msg.port) {
    if (node) node.serveContent(msg.port)
    else early.push(msg.port)
  }
  if (msg?.type !== 'init' || node) return
  const init = msg as InitMessage
  enableLogging(init.debug)
  attachRtcBridge(init.rtc)
  const rpc = new RpcServer()
  node = createNode(parseAppConfig(init.config), { rpc })
  rpc.attach(scope)
  for (const port of early.splice(0)) node.serveContent(port)
  void node.start()
})
