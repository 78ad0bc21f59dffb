/**
 * The messages between the node worker and the I/O worker that owns the OPFS sync access
 * handles (ioServer.ts, workerBackend.ts). Sync-handle calls block the thread that makes them;
 * in a worker of their own they no longer stall WebCrypto's callbacks in the node worker, so
 * encryption, hashing and disk writes overlap (bench/crypto.ts). One request, one reply, in
 * order; byte buffers are transferred, never copied.
 */

/** What both ends of a port need (a `MessagePort` or a `Worker`, in the browser and in Node). */
export interface IoPort {
  postMessage(message: unknown, transfer?: Transferable[]): void
  onmessage: ((e: MessageEvent) => void) | null
}

/** Calls on the served `FileBackend` (by file name) and its writers (by writer id). */
export type IoCall =
  | { op: 'openWriter'; name: string }
  | { op: 'read'; name: string; at: number; length: number }
  | { op: 'blob'; name: string }
  | { op: 'remove'; name: string }
  | { op: 'list' }
  | { op: 'write'; writer: number; bytes: Uint8Array; at: number }
  | { op: 'writerRead'; writer: number; at: number; length: number }
  | { op: 'flush'; writer: number }
  | { op: 'truncate'; writer: number; size: number }
  | { op: 'close'; writer: number }

export type IoRequest = IoCall & { id: number }

/** `error` is the thrown value as structured clone carries it (Error and DOMException keep their name). */
export type IoReply =
  | { id: number; ok: true; value?: unknown }
  | { id: number; ok: false; error: unknown }

/** Sent to the I/O worker: serve the OPFS directory `dir` on `port` (opfsIo.worker.ts). */
export type IoConnect = { type: 'connect'; dir: string; port: MessagePort }
