/**
 * The slice store's contract (sliceStore.ts implements it): what the swarm's chunk store, the
 * content reader, publishing and the RPC handlers may ask of stored items and their slices.
 */
import type { BatchWriter } from './batchWriter.ts'
import type { ItemMeta, ItemState } from './meta.ts'

/** An item to create: its plaintext size and slice size, salt, and what is known of it. */
export type CreateItemParams = {
  id?: string
  size: number
  sliceSize: number
  contentSalt: Uint8Array
  contentRoot?: Uint8Array | null
  /** Known slice hashes (32·count bytes): writes must then match them. */
  hashes?: Uint8Array
  state?: ItemState
  name?: string
  mime?: string
}

/**
 * Stored items and their ciphertext slices: a slice is marked only once durable, and every
 * read is hash-checked.
 */
export interface SliceStore {
  createItem(params: CreateItemParams): Promise<ItemMeta>
  item(id: string): Promise<ItemMeta | null>
  items(): Promise<ItemMeta[]>
  /** Stores one ciphertext slice: write, flush, then mark verified. */
  putSlice(
    id: string,
    i: number,
    ciphertext: Uint8Array,
    options?: { signal?: AbortSignal },
  ): Promise<void>
  /** Reads and hash-checks one ciphertext slice. Throws SliceMissingError / SliceCorruptError. */
  getSlice(
    id: string,
    i: number,
    options?: { signal?: AbortSignal },
  ): Promise<Uint8Array<ArrayBuffer>>
  has(id: string, i: number): Promise<boolean>
  bitfield(id: string): Promise<Uint8Array>
  /** SHA-256 of each slice, 32·count bytes (zeros where unknown). */
  hashes(id: string): Promise<Uint8Array>
  /** Clears slice i's bit (the bytes stay until overwritten). */
  markMissing(id: string, i: number): Promise<void>
  writer(id: string): Promise<BatchWriter>
  setState(id: string, state: ItemState, contentRoot?: Uint8Array): Promise<void>
  /**
   * The item's ciphertext file as a Blob (the Service Worker's `getFile().slice()` path); null
   * when absent or while a publish holds the file open.
   */
  blob(id: string): Promise<Blob | null>
  /**
   * Removes an item: once this resolves it is gone (its metadata deleted, reads fail, its
   * bytes no longer count); its file is deleted behind it ({@link removals}).
   */
  remove(id: string): Promise<void>
  /** Resolves once the files of every item removed so far are deleted. */
  removals(): Promise<void>
  /**
   * Deletes files that belong to no item (left by a crash between a removal's commit and its
   * file's deletion); returns their names. The store service runs it when the store opens.
   */
  sweep(): Promise<string[]>
  /** Bytes of verified slices across all items. */
  bytesUsed(): Promise<number>
  close(): void
}
