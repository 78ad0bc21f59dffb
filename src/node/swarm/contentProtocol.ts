/**
 * The protocol on the MessagePort between the Service Worker and the node worker (DESIGN §1:
 * the page hands the SW a port to the node). One `open` per HTTP request, then `pull`s that
 * ask for `n` more chunks each (credit-based: nothing is sent unasked, and a few chunks are
 * asked ahead so one hop's latency is not paid per chunk), `cancel` when the browser drops the
 * response. Chunks are plaintext, decrypted in the node: content keys
 * never leave the node worker (DESIGN §6). Self-contained: the SW imports these types.
 */

/** Service Worker → node. */
export type ContentRequest =
  | { t: 'open'; req: number; id: string; start: number; end: number | null }
  | { t: 'pull'; req: number; n?: number }
  | { t: 'cancel'; req: number }

/** Node → Service Worker. */
export type ContentReply =
  | {
      t: 'head'
      req: number
      ok: true
      size: number
      mime: string
      name?: string | undefined
      /** The byte range that will stream, [start, end). */
      start: number
      end: number
    }
  | {
      t: 'head'
      req: number
      ok: false
      status: 403 | 404 | 416 | 500
      message: string
      size?: number
    }
  | { t: 'chunk'; req: number; bytes: Uint8Array | null; done: boolean }
  | { t: 'error'; req: number; message: string }

/** The message a page posts to hand a port over, to the SW and to the node worker alike. */
export const CONTENT_PORT = 'hashcard:content-port'
/** What the SW posts to its window clients when it needs a (new) port. */
export const CONTENT_PORT_REQUEST = 'hashcard:content-port-request'
