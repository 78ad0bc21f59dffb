/**
 * Torrent metadata from peers, checked before webtorrent acts on it. A card names an infoHash,
 * so whoever made the card chose the info dictionary behind it: webtorrent's own parser
 * (parse-torrent) takes negative lengths, a byte string for a piece length or a piece count
 * that does not fit the length, and webtorrent then sizes its store and its piece list from
 * them. {@link parseTorrentFile} accepts only a canonical (bencode.ts) single- or multi-file
 * BEP 3 torrent within limits, and {@link gateMetadata} runs it (and the caller's own check)
 * before webtorrent sees the metadata. Rejections are {@link TorrentMetadataError}.
 */
import { TorrentMetadataError } from '../../shared/errors/swarm.ts'
import { type BDecoded, type BDict, decodeBencode, isDict } from './bdecode.ts'

/** A .torrent file (or ut_metadata's `{ info }`) is at most this many bytes. */
export const MAX_TORRENT_BYTES = 4 * 1024 * 1024
/** Piece lengths a torrent may use: 16 KiB (BEP 3's block) to 16 MiB, powers of two. */
export const MIN_PIECE_LENGTH = 16 * 1024
export const MAX_PIECE_LENGTH = 16 * 1024 * 1024
export const MAX_TORRENT_FILES = 10_000

export type TorrentFileEntry = { path: string; length: number }
/** What the node uses of a torrent's info dictionary. */
export type TorrentMeta = {
  name: string
  pieceLength: number
  pieceCount: number
  /** Bytes in all files. */
  length: number
  /** Every file, paths joined with `/` (without the torrent's name); one for a single file. */
  files: TorrentFileEntry[]
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

function bad(details: string): never {
  throw new TorrentMetadataError('The torrent metadata breaks BEP 3.', { details })
}

function text(v: BDecoded | undefined, field: string, max = 1024): string {
  if (!(v instanceof Uint8Array) || v.length === 0 || v.length > max)
    bad(`${field}: expected 1…${max} bytes of text`)
  try {
    return utf8.decode(v as Uint8Array)
  } catch {
    return bad(`${field}: not UTF-8`)
  }
}

function length(v: BDecoded | undefined, field: string): number {
  if (typeof v !== 'number' || v < 0) bad(`${field}: expected a non-negative integer`)
  return v as number
}

/** A path segment a file system and a URL can both hold. */
function segment(v: BDecoded | undefined, field: string): string {
  const s = text(v, field, 255)
  if (s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0'))
    bad(`${field}: ${JSON.stringify(s.slice(0, 40))} is not a file name`)
  return s
}

function filesOf(info: BDict, name: string): TorrentFileEntry[] {
  if (info.files === undefined) return [{ path: name, length: length(info.length, 'length') }]
  if (info.length !== undefined) bad('both length and files')
  const list = info.files
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_TORRENT_FILES)
    bad(`files: expected 1…${MAX_TORRENT_FILES} files`)
  return (list as BDecoded[]).map((f, i) => {
    if (!isDict(f)) return bad(`files.${i}: expected a dictionary`)
    const path = f.path
    if (!Array.isArray(path) || path.length === 0 || path.length > 32)
      bad(`files.${i}.path: expected 1…32 segments`)
    return {
      path: (path as BDecoded[]).map((s, j) => segment(s, `files.${i}.path.${j}`)).join('/'),
      length: length(f.length, `files.${i}.length`),
    }
  })
}

/**
 * Checks an info dictionary (decoded): name, piece length, pieces and the files, and that the
 * piece count fits the total length.
 */
export function parseInfo(info: BDecoded | undefined): TorrentMeta {
  if (!isDict(info)) return bad('info: expected a dictionary')
  // The torrent's name is a published file's name (any text a file system allows); the
  // node never makes a path of it. Paths inside a multi-file torrent are checked per segment.
  const name = text(info.name, 'name')
  const pl = info['piece length']
  if (
    typeof pl !== 'number' ||
    pl < MIN_PIECE_LENGTH ||
    pl > MAX_PIECE_LENGTH ||
    (pl & (pl - 1)) !== 0
  )
    bad(`piece length: expected a power of two from ${MIN_PIECE_LENGTH} to ${MAX_PIECE_LENGTH}`)
  const pieceLength = pl as number
  const pieces = info.pieces
  if (!(pieces instanceof Uint8Array) || pieces.length === 0 || pieces.length % 20 !== 0)
    bad('pieces: expected a non-empty multiple of 20 bytes')
  const files = filesOf(info, name)
  const total = files.reduce((n, f) => n + f.length, 0)
  if (!Number.isSafeInteger(total) || total === 0) bad(`length: ${total} bytes in all`)
  const pieceCount = (pieces as Uint8Array).length / 20
  if (Math.ceil(total / pieceLength) !== pieceCount)
    bad(`${pieceCount} pieces of ${pieceLength} bytes cannot hold ${total} bytes`)
  return { name, pieceLength, pieceCount, length: total, files }
}

/**
 * Parses a .torrent file (a dictionary with `info`; ut_metadata's metadata has that shape
 * too). Throws {@link TorrentMetadataError}.
 * @example const meta = parseTorrentFile(bytes); meta.pieceLength === item.sliceSize
 */
export function parseTorrentFile(bytes: Uint8Array, maxBytes = MAX_TORRENT_BYTES): TorrentMeta {
  const root = decodeBencode(bytes, { maxBytes })
  if (!isDict(root)) return bad('expected a dictionary')
  return parseInfo(root.info)
}

/** The part of a webtorrent 3 Torrent the gate wraps. */
export type MetadataTorrent = { _onMetadata(metadata: unknown): unknown }

/**
 * Checks the metadata of a torrent added by magnet before webtorrent acts on it: strict
 * parsing, then `check` (the caller's own rules, e.g. the item's piece length). A refused
 * metadata goes to `refuse` (which should destroy the torrent) and webtorrent never sees it.
 * Call it right after `client.add`, before any peer can answer.
 * @example gateMetadata(torrent, (m) => checkPreviewEntries(m.files), (err) => refuse(err))
 */
export function gateMetadata(
  t: MetadataTorrent,
  check: (meta: TorrentMeta) => void,
  refuse: (err: Error) => void,
): void {
  const onMetadata = t._onMetadata.bind(t)
  t._onMetadata = (metadata: unknown) => {
    // A .torrent given to `client.add` arrives already parsed (the torrent itself): ours.
    if (metadata instanceof Uint8Array) {
      try {
        check(parseTorrentFile(metadata))
      } catch (err) {
        refuse(err as Error)
        return Promise.resolve()
      }
    }
    return onMetadata(metadata)
  }
}
