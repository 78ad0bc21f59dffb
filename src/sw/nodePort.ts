/// <reference lib="webworker" />
/**
 * The Service Worker's port to the node worker (DESIGN §1): the page hands one over (a
 * {@link ContentPortOffer}); the browser stops idle Service Workers and the port dies with
 * them, so the port is rebuilt lazily — on a miss (none yet, or no answer) the SW asks its
 * window clients for a new one. This is the part of the content path that needs the real
 * ServiceWorkerGlobalScope; content.ts takes what it returns.
 */
import {
  CONTENT_PORT,
  CONTENT_PORT_REQUEST,
  type ContentPortOffer,
  type ContentPortRequest,
} from '../shared/protocol/content.ts'
import { connect, type NodeConn } from './content.ts'

/** How long to wait for a client to hand over a port. */
const PORT_WAIT_MS = 5_000

/**
 * Listens on `scope` for ports the page hands over (call it while the SW script is first
 * evaluated) and returns `portToNode` for {@link createContentHandler}.
 * @example createContentHandler({ portToNode: nodePorts(self), origin: self.location.origin })
 */
export function nodePorts(
  scope: ServiceWorkerGlobalScope,
  /** Which clients may hand over a port and are asked for one (a site's SW: its bootstrap only). */
  trusted: (clientUrl: string) => boolean = () => true,
): (fresh: boolean) => Promise<NodeConn> {
  let conn: NodeConn | null = null
  let offered: ((port: MessagePort) => void) | null = null
  scope.addEventListener('message', (e) => {
    const msg = e.data as Partial<ContentPortOffer> | null
    if (msg?.type !== CONTENT_PORT || !msg.port) return
    if (!(e.source && 'url' in e.source && trusted(e.source.url))) return
    conn = connect(msg.port)
    offered?.(msg.port)
    offered = null
  })
  /** A port to the node: the current one, or a new one asked of the window clients. */
  return async (fresh) => {
    if (conn && !fresh) return conn
    conn = null
    const got = new Promise<MessagePort>((resolve, reject) => {
      offered = resolve
      setTimeout(() => reject(new Error('no tab handed over a port to the node')), PORT_WAIT_MS)
    })
    const clients = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true })
    for (const c of clients.filter((c) => trusted(c.url)))
      c.postMessage({ type: CONTENT_PORT_REQUEST } satisfies ContentPortRequest)
    await got
    if (!conn) throw new Error('the port to the node was lost')
    return conn
  }
}
