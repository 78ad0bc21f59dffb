/**
 * The SW ↔ node content channel: the protocol on the MessagePort between the Service Worker
 * and the node worker (DESIGN §1: the page hands the SW a port to the node). One `open` per
 * HTTP request, then `pull`s that ask for `n` more chunks each (credit-based: nothing is sent
 * unasked, and a few chunks are asked ahead so one hop's latency is not paid per chunk),
 * `cancel` when the browser drops the response. Chunks are plaintext, decrypted in the node:
 * content keys never leave the node worker (DESIGN §6).
 *
 * Imported by the node (src/node/content/portServer.ts), the page (src/ui/swarm/contentPort.ts)
 * and the Service Worker (src/sw/content.ts): types and constants only, no code of any realm.
 * Every message carries the discriminant `type` and the request `id`.
 */

/** Service Worker → node. */
export type ContentRequest =
  | {
      type: 'open'
      id: number
      /** What `/c/<item>` names: a card id, a stored item id or an infoHash. */
      item: string
      start: number
      end: number | null
      /**
       * A packaged site's request path (src/shared/site/archive.ts `resolvePath`): the range is
       * then of that file of the site's archive, and `item` must be the site's card id.
       */
      path?: string
    }
  | { type: 'pull'; id: number; n?: number }
  | { type: 'cancel'; id: number }

/** Node → Service Worker. */
export type ContentReply =
  | {
      type: 'head'
      id: number
      ok: true
      size: number
      mime: string
      name?: string | undefined
      /** The byte range that will stream, [start, end). */
      start: number
      end: number
      /** A site file's strong ETag (its SHA-256, quoted). */
      etag?: string | undefined
    }
  | {
      type: 'head'
      id: number
      ok: false
      status: 403 | 404 | 416 | 500
      message: string
      size?: number
    }
  | { type: 'chunk'; id: number; bytes: Uint8Array | null; done: boolean }
  | { type: 'error'; id: number; message: string }

/** The message a page posts to hand a port over, to the SW and to the node worker alike. */
export const CONTENT_PORT = 'hashcard:content-port'
/** What the SW posts to its window clients when it needs a (new) port. */
export const CONTENT_PORT_REQUEST = 'hashcard:content-port-request'

/**
 * Page → SW and page → node: one end of a fresh channel. A site's port (`scope`, its card id)
 * serves that card only: the node refuses any other item on it.
 */
export type ContentPortOffer = { type: typeof CONTENT_PORT; port: MessagePort; scope?: string }
/** SW → page: hand me a port (the browser stopped the SW and its port died with it). */
export type ContentPortRequest = { type: typeof CONTENT_PORT_REQUEST }

/**
 * The SW's flow control: chunks (each a slice, ≈ 256 KiB) a response asks for ahead of its
 * reader. How far the node reads ahead is the node's own policy (READ_AHEAD in
 * src/node/content/constants.ts), not this.
 */
export const CHUNKS_AHEAD = 4

/** The most chunks one `pull` may ask for; the node clamps `n` to [1, MAX_CREDIT]. */
export const MAX_CREDIT = 64

/**
 * Downloads (`/c/<item>?download=<token>`, a software card's download button): the SW streams
 * the file to the browser's download manager, which the page cannot read, so the SW tells the
 * page how far it got on a BroadcastChannel of the app's origin (a site's origin has its own).
 * The page picks the token and listens for it; reports come at most every
 * {@link DOWNLOAD_REPORT_MS} while bytes flow, and once at the end.
 */
export const DOWNLOAD_CHANNEL = 'hashcard:downloads'
export const DOWNLOAD_REPORT_MS = 100
/** A download's token: what the page puts in `?download=`. */
export const DOWNLOAD_TOKEN = /^[\w-]{1,64}$/

/** SW → pages: one download's progress. */
export type DownloadProgress = {
  type: 'download'
  token: string
  /** Bytes handed to the browser so far, and the file's size (0 until the node answered). */
  sent: number
  size: number
  /**
   * `sending` while bytes flow; `done` when the last byte went out; `failed` when the node
   * refused (`status`, e.g. 403 without a key) or the stream broke; `cancelled` when the
   * browser dropped it (the user cancelled the download).
   */
  state: 'sending' | 'done' | 'failed' | 'cancelled'
  status?: number
  message?: string
}

/** Page → SW while a download runs: a message event keeps an idle SW from being stopped. */
export const KEEPALIVE = 'hashcard:keepalive'
