/**
 * The page's part of the Service Worker ↔ node handshake (DESIGN §1): the tab that runs the
 * node worker makes a MessageChannel and hands one end to the node, the other to the SW —
 * when the SW is ready, when a new SW takes control, and whenever the SW asks (it lost its
 * port because the browser stopped it).
 */
import {
  CONTENT_PORT,
  CONTENT_PORT_REQUEST,
  type ContentPortOffer,
  type ContentPortRequest,
} from '../../shared/protocol/content.ts'

/** Starts answering the SW for the node `worker` this tab runs. */
export function serveContentPorts(worker: Worker): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return
  const sw = navigator.serviceWorker
  const hand = (target: ServiceWorker | MessageEventSource | null | undefined) => {
    if (!target || !('postMessage' in target)) return
    const { port1, port2 } = new MessageChannel()
    worker.postMessage({ type: CONTENT_PORT, port: port1 } satisfies ContentPortOffer, [port1])
    ;(target as ServiceWorker).postMessage(
      { type: CONTENT_PORT, port: port2 } satisfies ContentPortOffer,
      [port2],
    )
  }
  sw.addEventListener('message', (e) => {
    if ((e.data as Partial<ContentPortRequest> | null)?.type === CONTENT_PORT_REQUEST)
      hand(e.source)
  })
  sw.addEventListener('controllerchange', () => hand(sw.controller))
  sw.startMessages()
  void sw.ready.then((reg) => hand(reg.active))
}
