/**
 * The packaged-site archive, v1 (DESIGN §4.8): one deterministic file for a whole file tree,
 * encrypted and swarmed like any item. Files are stored uncompressed, one after another in path
 * order, behind an index, so a byte range of any file is a byte range of the archive and maps
 * straight to slices (src/node/crypto/layout.ts): serving a file reads only its slices.
 *
 * | bytes | field |
 * |---|---|
 * | 0–7 | magic `HCSITE01` |
 * | 8–11 | index length L (u32 big-endian) |
 * | 12 … 12+L | index: count (u32), then per file: path length (u16), path (UTF-8), type length (u8), type (ASCII), offset (u64), size (u64), SHA-256 (32 bytes) |
 * | 12+L … | the files' bytes, in index order, back to back |
 *
 * Offsets count from the first data byte (12 + L). The index lists files sorted by the UTF-8
 * bytes of their paths, each path once, and each file starts where the one before it ends:
 * one tree has exactly one archive, and a decoder refuses any other arrangement.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { SiteArchiveError } from '../errors/site.ts'
import { isMimeType, mimeOf } from './mime.ts'

export { SiteArchiveError }

export const SITE_MAGIC = 'HCSITE01'
const MAGIC_BYTES = new TextEncoder().encode(SITE_MAGIC)
/** The type of an archive item (the card's `content.mime`). */
export const SITE_MIME = 'application/x-hashcard-site'
export const MAX_SITE_FILES = 10_000
export const MAX_PATH_BYTES = 1024
/** Header bytes before the index: magic and index length. */
export const HEADER_BYTES = 12
/** The largest index a decoder reads (10,000 files of the longest paths fit). */
export const MAX_INDEX_BYTES = 4 + MAX_SITE_FILES * (2 + MAX_PATH_BYTES + 1 + 120 + 16 + 32)
/** Files up to this size are hashed in one WebCrypto call; larger ones stream. */
const WHOLE_HASH_BYTES = 64 * 1024 * 1024

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true })

/** One file of an archive: where its bytes are (absolute offset in the archive) and what they are. */
export type SiteEntry = {
  path: string
  /** Offset of the file's first byte in the archive (header and index included). */
  offset: number
  size: number
  mime: string
  sha256: Uint8Array
}

/** A decoded index: the entries in path order, and a lookup by path. */
export type SiteIndex = {
  entries: SiteEntry[]
  /** Where the files' bytes start: 12 + the index length. */
  dataStart: number
  /** Size of the whole archive. */
  size: number
  get(path: string): SiteEntry | undefined
}

/** A file to pack: its path in the tree and its bytes. */
export type TreeFile = { path: string; blob: Blob }

const refuse = (shortMessage: string, details?: string): never => {
  throw new SiteArchiveError(shortMessage, details ? { details } : {})
}

/**
 * Checks one path of a tree: relative, `/`-separated, no empty, `.` or `..` segment, no
 * backslash or control character, at most {@link MAX_PATH_BYTES} bytes of UTF-8.
 * @example checkPath('css/site.css') // ok; checkPath('../etc/passwd') throws SiteArchiveError
 */
export function checkPath(path: string): string {
  if (typeof path !== 'string' || path.length === 0) refuse('A file in the site has no name.')
  if (enc.encode(path).length > MAX_PATH_BYTES)
    refuse(`The path is longer than ${MAX_PATH_BYTES} bytes.`, path.slice(0, 80))
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path))
    refuse(`"${path}" is an absolute path: a site holds only relative paths.`)
  if (path.includes('\\')) refuse(`"${path}" has a backslash: use "/" between folders.`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u001f\u007f]/.test(path)) refuse(`"${path}" has a control character.`)
  for (const seg of path.split('/')) {
    if (seg === '..') refuse(`"${path}" leaves the site's folder ("..").`)
    if (seg === '.' || seg === '') refuse(`"${path}" has an empty or "." folder name.`)
  }
  return path
}

/** Bytewise order of the UTF-8 encodings (the order a decoder checks). */
function compareUtf8(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

/**
 * Removes the one folder every path is under (a dropped folder or a ZIP of one folder names it
 * first), so `site/index.html` becomes `index.html`. Paths stay as they are otherwise.
 * @example stripCommonRoot(['s/a.html', 's/b/c.css']) // ['a.html', 'b/c.css']
 */
export function stripCommonRoot(paths: string[]): string[] {
  const first = paths[0]?.split('/')[0]
  if (!first || paths.some((p) => !p.startsWith(`${first}/`))) return paths
  return paths.map((p) => p.slice(first.length + 1))
}

/**
 * Checks a tree against the rules (count, paths, duplicates, entry and fallback present) and
 * returns its files in archive order. Throws {@link SiteArchiveError} naming the problem.
 */
export function planSite<T extends { path: string }>(
  files: T[],
  site: { entry: string; fallback?: string | undefined },
): T[] {
  if (files.length === 0) refuse('The site has no files.')
  if (files.length > MAX_SITE_FILES)
    refuse(`The site has ${files.length} files; at most ${MAX_SITE_FILES} are allowed.`)
  const keyed = files.map((f) => ({ f, key: enc.encode(checkPath(f.path)) }))
  keyed.sort((a, b) => compareUtf8(a.key, b.key))
  for (let i = 1; i < keyed.length; i++)
    if (compareUtf8(keyed[i - 1]?.key as Uint8Array, keyed[i]?.key as Uint8Array) === 0)
      refuse(`"${keyed[i]?.f.path}" appears twice in the site.`)
  const has = new Set(files.map((f) => f.path))
  if (!has.has(checkPath(site.entry))) refuse(`The entry page "${site.entry}" is not in the site.`)
  if (site.fallback !== undefined && !has.has(checkPath(site.fallback)))
    refuse(`The fallback page "${site.fallback}" is not in the site.`)
  return keyed.map((k) => k.f)
}

/** SHA-256 of a Blob: one WebCrypto call when small, streamed through noble when large. */
export async function sha256Blob(blob: Blob, signal?: AbortSignal): Promise<Uint8Array> {
  if (blob.size <= WHOLE_HASH_BYTES)
    return new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()))
  const h = sha256.create()
  const reader = blob.stream().getReader()
  try {
    for (;;) {
      signal?.throwIfAborted()
      const { done, value } = await reader.read()
      if (done) return h.digest()
      h.update(value)
    }
  } finally {
    reader.releaseLock()
  }
}

/**
 * Encodes the header and index of files already in archive order (offsets are computed here).
 * @example encodeIndex([{ path: 'index.html', size: 5, mime: 'text/html; charset=utf-8', sha256 }])
 */
export function encodeIndex(files: Omit<SiteEntry, 'offset'>[]): Uint8Array {
  const rows = files.map((f) => {
    const path = enc.encode(f.path)
    const mime = enc.encode(f.mime)
    if (!isMimeType(f.mime)) refuse(`"${f.path}" has an invalid type.`, f.mime)
    if (f.sha256.length !== 32) refuse(`"${f.path}" has no SHA-256.`)
    return { path, mime, size: f.size, sha: f.sha256 }
  })
  const indexBytes = 4 + rows.reduce((n, r) => n + 2 + r.path.length + 1 + r.mime.length + 48, 0)
  const out = new Uint8Array(HEADER_BYTES + indexBytes)
  const view = new DataView(out.buffer)
  out.set(enc.encode(SITE_MAGIC), 0)
  view.setUint32(8, indexBytes)
  view.setUint32(12, rows.length)
  let at = 16
  let offset = 0
  for (const r of rows) {
    view.setUint16(at, r.path.length)
    out.set(r.path, at + 2)
    at += 2 + r.path.length
    out[at] = r.mime.length
    out.set(r.mime, at + 1)
    at += 1 + r.mime.length
    view.setBigUint64(at, BigInt(offset))
    view.setBigUint64(at + 8, BigInt(r.size))
    out.set(r.sha, at + 16)
    at += 48
    offset += r.size
  }
  return out
}

export type PackOptions = {
  entry: string
  fallback?: string | undefined
  signal?: AbortSignal
  /** Called after each file is hashed: files done, bytes done, and the totals. */
  onProgress?: (p: { files: number; bytes: number; totalFiles: number; totalBytes: number }) => void
}

/**
 * Packs a file tree into an archive. The result is a Blob made of the index and the files'
 * own Blobs (nothing is copied: publishing reads it slice by slice), and the decoded index.
 * Throws {@link SiteArchiveError} for a tree that breaks the rules.
 * @example const { archive, index } = await packSite(files, { entry: 'index.html' })
 */
export async function packSite(
  files: TreeFile[],
  o: PackOptions,
): Promise<{ archive: Blob; index: SiteIndex }> {
  const ordered = planSite(files, o)
  const totalBytes = ordered.reduce((n, f) => n + f.blob.size, 0)
  const rows: Omit<SiteEntry, 'offset'>[] = []
  let bytes = 0
  for (const f of ordered) {
    o.signal?.throwIfAborted()
    rows.push({
      path: f.path,
      size: f.blob.size,
      mime: mimeOf(f.path),
      sha256: await sha256Blob(f.blob, o.signal),
    })
    bytes += f.blob.size
    o.onProgress?.({ files: rows.length, bytes, totalFiles: ordered.length, totalBytes })
  }
  const head = encodeIndex(rows)
  const archive = new Blob([head as Uint8Array<ArrayBuffer>, ...ordered.map((f) => f.blob)])
  return { archive, index: decodeIndex(head, archive.size) }
}

/**
 * The index length from an archive's first {@link HEADER_BYTES} bytes (checked against
 * {@link MAX_INDEX_BYTES}): read that many more bytes, then {@link decodeIndex}.
 */
export function indexLength(header: Uint8Array): number {
  if (header.length < HEADER_BYTES) refuse('The site archive is truncated.')
  // Compared as bytes: decoding first would throw a TypeError on bytes that are not UTF-8.
  if (MAGIC_BYTES.some((b, i) => header[i] !== b)) refuse('This is not a site archive.')
  const n = new DataView(header.buffer, header.byteOffset, HEADER_BYTES).getUint32(8)
  if (n < 4 || n > MAX_INDEX_BYTES)
    refuse('The site archive has an invalid index.', `index length ${n}`)
  return n
}

/**
 * Decodes and checks an archive's header and index (`bytes` holds at least 12 + L bytes);
 * with `archiveSize`, the files must end exactly at the archive's end. Throws
 * {@link SiteArchiveError} for anything but the one canonical form.
 */
export function decodeIndex(bytes: Uint8Array, archiveSize?: number): SiteIndex {
  const len = indexLength(bytes)
  const dataStart = HEADER_BYTES + len
  if (bytes.length < dataStart) refuse('The site archive is truncated.')
  const view = new DataView(bytes.buffer, bytes.byteOffset, dataStart)
  const bad = (why: string): never => refuse('The site archive has an invalid index.', why)
  const count = view.getUint32(12)
  if (count < 1 || count > MAX_SITE_FILES) bad(`${count} files`)
  const entries: SiteEntry[] = []
  const byPath = new Map<string, SiteEntry>()
  let at = 16
  let offset = 0
  let prev: Uint8Array | null = null
  const need = (n: number) => {
    if (at + n > dataStart) bad('entries run past the index')
  }
  for (let i = 0; i < count; i++) {
    need(2)
    const pathLen = view.getUint16(at)
    need(2 + pathLen + 1)
    const pathBytes = bytes.subarray(at + 2, at + 2 + pathLen)
    at += 2 + pathLen
    const mimeLen = bytes[at] as number
    need(1 + mimeLen + 48)
    let path = ''
    let mime = ''
    try {
      path = dec.decode(pathBytes)
      mime = dec.decode(bytes.subarray(at + 1, at + 1 + mimeLen))
    } catch {
      bad(`entry ${i}: not UTF-8`)
    }
    at += 1 + mimeLen
    checkPath(path)
    if (!isMimeType(mime)) bad(`"${path}": type ${JSON.stringify(mime)}`)
    if (prev && compareUtf8(prev, pathBytes) >= 0) bad(`"${path}": out of order or repeated`)
    prev = pathBytes
    const rel = view.getBigUint64(at)
    const size = view.getBigUint64(at + 8)
    if (rel !== BigInt(offset)) bad(`"${path}": offset ${rel}, expected ${offset}`)
    if (size > BigInt(Number.MAX_SAFE_INTEGER - dataStart - offset)) bad(`"${path}": size ${size}`)
    const entry: SiteEntry = {
      path,
      offset: dataStart + offset,
      size: Number(size),
      mime,
      sha256: bytes.slice(at + 16, at + 48),
    }
    at += 48
    offset += entry.size
    entries.push(entry)
    byPath.set(path, entry)
  }
  if (at !== dataStart) bad('bytes after the last entry')
  const size = dataStart + offset
  if (archiveSize !== undefined && archiveSize !== size)
    bad(`the files end at ${size}, the archive at ${archiveSize}`)
  return { entries, dataStart, size, get: (p) => byPath.get(p) }
}

/**
 * Which file a request path names (DESIGN §4.8): `""` or `"/"` is the entry; a folder (a path
 * ending in `/`, or one with an `index.html` below it) its `index.html`; a missing path the
 * fallback when the site has one (single-page apps route in the page), else nothing.
 * @example resolvePath(index, '/about/', { entry: 'index.html' }) // the entry of about/index.html
 */
export function resolvePath(
  index: Pick<SiteIndex, 'get'>,
  requestPath: string,
  site: { entry: string; fallback?: string | undefined },
): SiteEntry | undefined {
  const p = requestPath.replace(/^\/+/, '')
  if (p === '') return index.get(site.entry)
  const direct = p.endsWith('/')
    ? index.get(`${p}index.html`)
    : (index.get(p) ?? index.get(`${p}/index.html`))
  return direct ?? (site.fallback === undefined ? undefined : index.get(site.fallback))
}

/** The file's SHA-256 as a strong ETag. */
export const etagOf = (e: SiteEntry): string => `"${bytesToHex(e.sha256)}"`
