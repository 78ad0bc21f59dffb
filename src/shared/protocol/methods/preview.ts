/**
 * Page↔node RPC methods of preview torrents (src/node/previews/service.ts), declared in the
 * table of src/shared/protocol/rpc.ts; spoken by the page and the node worker.
 */

/** A preview file the page made (a name from src/node/previews/format.ts). */
export type PreviewFileInput = { name: string; bytes: Uint8Array }
export type PreviewFileData = { name: string; mime: string; bytes: Uint8Array }

export type PreviewItem = {
  /** Hex, 20 bytes, no 0x. */
  infoHash: string
  origin: 'own' | 'peer'
  state: 'fetching' | 'complete' | 'refused'
  length?: number | undefined
  files?: { name: string; offset: number; length: number }[] | undefined
  /** Peers connected for this preview now. */
  peers: number
  /** Why it was refused: the error's name and message. */
  reason?: { name: string; message: string } | undefined
}

export type PreviewMethods = {
  /**
   * Seeds a preview torrent of files the page made (names from src/node/previews/format.ts, ≤ 4 MiB);
   * `unchecked` skips the format checks, dev chains only (bad-input tests).
   */
  'preview.seed': {
    params: { files: PreviewFileInput[]; unchecked?: boolean | undefined }
    result: { infoHash: string; length: number }
  }
  /**
   * A preview's files, stored or fetched from the swarm and then seeded; rejects with
   * PreviewTooLargeError / PreviewMismatchError (refused) or PreviewUnavailableError (no peer in
   * `timeoutMs`).
   */
  'preview.get': {
    params: { infoHash: string; timeoutMs?: number | undefined }
    result: { infoHash: string; files: PreviewFileData[] }
  }
  /** Every preview this node holds, fetches or refused (with the reason). */
  'preview.items': { params: undefined; result: PreviewItem[] }
}
