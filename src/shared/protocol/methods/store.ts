/**
 * Page↔node RPC methods of the slice store (src/node/store/), declared in the table of
 * src/shared/protocol/rpc.ts; spoken by the page and the node worker.
 */

export type StoreMethods = {
  /** Storage use and quota (`navigator.storage.estimate()`), and whether storage is persistent. */
  'store.estimate': {
    params: undefined
    result: { usage: number; quota: number; storeBytes: number; persisted: boolean }
  }
  /** Asks for persistent storage (`navigator.storage.persist()`). */
  'store.persist': { params: undefined; result: { persisted: boolean } }
  /** Encrypts and stores a file (DESIGN §4.1); QuotaExceededError before any work if it cannot fit. */
  'store.publishFile': {
    params: { file: Blob; name?: string; mime?: string; sliceSize?: number; resumeId?: string }
    result: {
      id: string
      size: number
      sliceSize: number
      count: number
      cipherSize: number
      /** Hex, 16 bytes. */
      contentSalt: string
      /** Hex, 32 bytes (merkle.ts). */
      contentRoot: string
    }
  }
  /** Every stored item with how many of its slices are present. */
  'store.items': {
    params: undefined
    result: {
      id: string
      name?: string | undefined
      mime?: string | undefined
      size: number
      count: number
      present: number
      state: 'publishing' | 'partial' | 'complete'
      contentRoot: string | null
    }[]
  }
  /** Decrypted bytes [start, end) of one of this identity's own items (small ranges). */
  'store.read': {
    params: { id: string; start: number; end: number }
    result: Uint8Array
  }
  /** Deletes an item and its file. */
  'store.remove': { params: { id: string }; result: undefined }
}
