/**
 * The preview torrent (DESIGN §2 `previewInfoHash`): an *unencrypted* multi-file torrent
 * seeded beside the content, so any stock BitTorrent client can fetch and show it. Which files
 * it may hold and its size limit are in src/shared/card/previewFiles.ts; the whole torrent is
 * bounded because a viewer fetches previews of cards it merely scrolls past and must never be
 * tricked into fetching a film.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import {
  isPreviewFileName,
  MAX_PREVIEW_BYTES,
  PREVIEW_FILES,
  type PreviewFileName,
} from '../../shared/card/previewFiles.ts'
import { PreviewMismatchError, PreviewTooLargeError } from '../../shared/errors/preview.ts'
import { sha1 } from '../crypto/sha1.ts'
import { bencode } from '../torrent/bencode.ts'

export { MAX_PREVIEW_BYTES }
/** Piece length of preview torrents: 64 pieces at most, a small `pieces` string. */
export const PREVIEW_PIECE_LENGTH = 64 * 1024
/** The torrent's name (its folder in a stock client). */
export const PREVIEW_NAME = 'hashcard-preview'

export type PreviewFile = { name: PreviewFileName; mime: string; bytes: Uint8Array }
/** Where a file lies in the torrent's concatenated bytes. */
export type PreviewEntry = { name: PreviewFileName; offset: number; length: number }

export type BuiltPreview = {
  infoHash: string
  torrentFile: Uint8Array
  /** The concatenated file bytes, cut into pieces. */
  pieces: Uint8Array[]
  entries: PreviewEntry[]
  length: number
}

/**
 * Checks a file list (from our own input or a peer's metadata) against the format: allowed,
 * distinct names, non-empty, within {@link MAX_PREVIEW_BYTES} in total.
 * Throws {@link PreviewTooLargeError} or {@link PreviewMismatchError}.
 */
export function checkPreviewEntries(
  files: { path: string; length: number }[],
  maxBytes = MAX_PREVIEW_BYTES,
): PreviewEntry[] {
  if (files.length === 0) throw new PreviewMismatchError('The preview torrent has no files.')
  const total = files.reduce((n, f) => n + f.length, 0)
  if (total > maxBytes)
    throw new PreviewTooLargeError(`The preview torrent is larger than ${maxBytes} bytes.`, {
      details: `${total} bytes in ${files.length} files`,
    })
  const seen = new Set<string>()
  let offset = 0
  return files.map((f) => {
    const name = f.path.replace(/^hashcard-preview\//, '')
    if (!isPreviewFileName(name) || seen.has(name))
      throw new PreviewMismatchError('The preview torrent holds a file a preview may not hold.', {
        details: `${JSON.stringify(f.path.slice(0, 100))}; allowed: ${Object.keys(PREVIEW_FILES).join(', ')}, each once`,
      })
    if (f.length === 0) throw new PreviewMismatchError(`The preview file ${name} is empty.`)
    seen.add(name)
    const e = { name, offset, length: f.length }
    offset += f.length
    return e
  })
}

/**
 * Builds the preview torrent of some files (in a fixed order, so the same files give the same
 * infoHash). `unchecked` skips the format checks: dev-chain tests make bad torrents with it.
 * @example const { infoHash } = await buildPreviewTorrent(files, ['ws://tracker'])
 */
export async function buildPreviewTorrent(
  files: { name: string; bytes: Uint8Array }[],
  announce: string[],
  opts: { unchecked?: boolean; maxBytes?: number } = {},
): Promise<BuiltPreview> {
  const order = Object.keys(PREVIEW_FILES)
  const sorted = [...files].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
  const listed = sorted.map((f) => ({ path: f.name, length: f.bytes.length }))
  const entries = opts.unchecked
    ? (listed.map((f, i) => ({
        name: f.path,
        offset: listed.slice(0, i).reduce((n, x) => n + x.length, 0),
        length: f.length,
      })) as PreviewEntry[])
    : checkPreviewEntries(listed, opts.maxBytes)
  const length = listed.reduce((n, f) => n + f.length, 0)
  const all = new Uint8Array(length)
  for (const [i, f] of sorted.entries()) all.set(f.bytes, (entries[i] as PreviewEntry).offset)
  const pieces: Uint8Array[] = []
  for (let o = 0; o < length; o += PREVIEW_PIECE_LENGTH)
    pieces.push(all.slice(o, o + PREVIEW_PIECE_LENGTH))
  const hashes = new Uint8Array(20 * pieces.length)
  for (const [i, p] of pieces.entries()) hashes.set(await sha1(p), 20 * i)
  const info = {
    files: listed.map((f) => ({ length: f.length, path: [f.path] })),
    name: PREVIEW_NAME,
    'piece length': PREVIEW_PIECE_LENGTH,
    pieces: hashes,
  }
  const infoHash = bytesToHex(await sha1(bencode(info)))
  const torrentFile = bencode({
    info,
    ...(announce.length > 0
      ? { announce: announce[0] as string, 'announce-list': [announce] }
      : {}),
  })
  return { infoHash, torrentFile, pieces, entries, length }
}

/** Cuts the concatenated bytes back into files. */
export function splitPreview(all: Uint8Array, entries: PreviewEntry[]): PreviewFile[] {
  return entries.map((e) => ({
    name: e.name,
    mime: PREVIEW_FILES[e.name],
    bytes: all.slice(e.offset, e.offset + e.length),
  }))
}
