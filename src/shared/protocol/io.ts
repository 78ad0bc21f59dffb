/**
 * Node↔I/O worker: spoken by the node worker's store (src/node/store/workerBackend.ts) and the
 * I/O worker (src/node/store/ioServer.ts, started by opfsIo.worker.ts), and by the benchmarks'
 * and browser checks' workers that start the same code.
 *
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
  | { type: 'openWriter'; name: string }
  | { type: 'read'; name: string; at: number; length: number }
  | { type: 'blob'; name: string }
  | { type: 'remove'; name: string }
  | { type: 'list' }
  | { type: 'write'; writer: number; bytes: Uint8Array; at: number }
  | { type: 'writerRead'; writer: number; at: number; length: number }
  | { type: 'flush'; writer: number }
  | { type: 'truncate'; writer: number; size: number }
  | { type: 'close'; writer: number }

export type IoRequest = IoCall & { id: number }

/** `error` is the thrown value as structured clone carries it (Error and DOMException keep their name). */
export type IoReply =
  | { id: number; ok: true; value?: unknown }
  | { id: number; ok: false; error: unknown }

/** Sent to the I/O worker: serve the OPFS directory `dir` on `port` (opfsIo.worker.ts). */
export type IoConnect = { type: 'connect'; dir: string; port: MessagePort }
