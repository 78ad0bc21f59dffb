/**
 * Where ciphertext bytes live: one file per item. The browser backend is OPFS with sync access
 * handles (opfsBackend.ts, dedicated worker only); tests use memoryBackend.ts.
 */

/** A writer holds a file exclusively (as an OPFS sync access handle does) until closed. */
export interface FileWriter {
  write(bytes: Uint8Array, at: number): Promise<void>
  read(at: number, length: number): Promise<Uint8Array<ArrayBuffer>>
  /** Makes every write so far durable; the store marks slices verified only after it. */
  flush(): Promise<void>
  truncate(size: number): Promise<void>
  close(): Promise<void>
}

export interface FileBackend {
  /** Opens (creating) `name` for writing. */
  openWriter(name: string): Promise<FileWriter>
  /** Reads up to `length` bytes at `at` (fewer at the end of the file). */
  read(name: string, at: number, length: number): Promise<Uint8Array<ArrayBuffer>>
  /** The file as a Blob (OPFS `getFile()`), for the Service Worker's read path; null if absent. */
  blob(name: string): Promise<Blob | null>
  remove(name: string): Promise<void>
  list(): Promise<string[]>
}
