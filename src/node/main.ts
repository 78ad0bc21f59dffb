/**
 * The node worker's entry: it parses the page's init message (src/shared/protocol/init.ts),
 * builds the node (createNode.ts) and serves the page over typed RPC. One node per browser
 * profile: the page starts this worker only while it holds the Web Lock. Requests that arrive while the node is
 * starting wait for the services they need.
 */
import './net/install-rtc.ts'
import { registerAllErrors } from '../shared/errors/registry.ts'
import { CONTENT_PORT, type ContentPortOffer } from '../shared/protocol/content.ts'
import { parseInitMessage } from '../shared/protocol/init.ts'
import { createNode, type HashcardNode } from './createNode.ts'
import { enableLogging } from './log.ts'
import { attachRtcBridge } from './net/rtc-bridge.ts'
import { type RpcPort, RpcServer } from './rpc/server.ts'

registerAllErrors()

const scope = self as unknown as RpcPort & {
  addEventListener(type: 'message', l: (e: MessageEvent<unknown>) => void, o?: object): void
}

/** Content ports the page handed over before `init` (it may, once the SW is ready). */
const early: { port: MessagePort; scope?: string | undefined }[] = []
let node: HashcardNode | null = null

scope.addEventListener('message', (e) => {
  const offer = e.data as Partial<ContentPortOffer> | null
  // The page hands over a Service Worker content port (src/ui/swarm/contentPort.ts).
  if (offer?.type === CONTENT_PORT && offer.port) {
    const scope = typeof offer.scope === 'string' ? offer.scope : undefined
    if (node) node.serveContent(offer.port, scope)
    else early.push({ port: offer.port, scope })
    return
  }
  const init = node ? null : parseInitMessage(e.data)
  if (!init) return
  enableLogging(init.debug)
  attachRtcBridge(init.rtc)
  const rpc = new RpcServer()
  node = createNode(init.config, { rpc })
  rpc.attach(scope)
  for (const e of early.splice(0)) node.serveContent(e.port, e.scope)
  void node.start()
})
