/**
 * Where ciphertext bytes live: one file per item. The browser backend is OPFS with sync access
 * handles (opfsBackend.ts, dedicated worker only), used from the node worker through an I/O
 * worker of its own (workerBackend.ts, opfsIo.worker.ts); tests use memoryBackend.ts.
 */

/**
 * A writer holds a file exclusively (as an OPFS sync access handle does) until closed. Its calls
 * take effect in the order they are made: a flush covers every write called before it, even
 * one whose promise has not settled, and none called after it.
 */
export interface FileWriter {
  /**
   * Writes `bytes` at `at`, readable through this writer at once, durable after `flush`. A
   * backend may queue it (workerBackend.ts): a failed write then rejects a later call, at the
   * latest the next `flush`. With `transfer`, the caller gives up `bytes` and its whole
   * buffer, which the backend may detach instead of copying.
   */
  write(bytes: Uint8Array, at: number, options?: { transfer?: boolean }): Promise<void>
  read(at: number, length: number): Promise<Uint8Array<ArrayBuffer>>
  /** Makes every write so far durable; the store marks slices verified only after it. */
  flush(): Promise<void>
  truncate(size: number): Promise<void>
  close(): Promise<void>
}

export interface FileBackend {
  /** Opens (creating) `name` for writing. */
  openWriter(name: string): Promise<FileWriter>
  /**
   * Reads up to `length` bytes at `at` (fewer at the end of the file). It sees every write
   * made before the call: a file open for writing is read at the call, through its writer.
   */
  read(name: string, at: number, length: number): Promise<Uint8Array<ArrayBuffer>>
  /** The file as a Blob (OPFS `getFile()`), for the Service Worker's read path; null if absent. */
  blob(name: string): Promise<Blob | null>
  remove(name: string): Promise<void>
  list(): Promise<string[]>
}
