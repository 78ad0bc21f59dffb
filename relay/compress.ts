/**
 * Compressed static serving (issue #18's Lighthouse finding, issue #20 item 2): text assets
 * (scripts, styles, HTML, JSON, SVG, the manifest, wasm) go out with Brotli or gzip, whichever
 * the client accepts first by our preference, and never for a Range request. Each file's
 * compressed bytes are kept in memory by path, size and mtime (the built app is a few MB), so a
 * file is compressed once per build, not per request.
 */
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'

const br = promisify(brotliCompress)
const gz = promisify(gzip)

/** The types worth compressing (images other than SVG are compressed already). */
const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.webmanifest',
  '.svg',
  '.wasm',
  '.txt',
  '.map',
])
/** Below this, the headers cost more than the bytes saved. */
const MIN_BYTES = 1024
/** The cache's bound: past it, the oldest entries go. */
const MAX_CACHED_BYTES = 64 * 1024 * 1024

export type Encoding = 'br' | 'gzip'

/**
 * The encoding to answer with, or null (identity).
 * @example pickEncoding('gzip, deflate, br', '.js', 5000) // 'br'
 */
export function pickEncoding(
  acceptEncoding: string | undefined,
  ext: string,
  size: number,
): Encoding | null {
  if (!acceptEncoding || size < MIN_BYTES || !COMPRESSIBLE.has(ext)) return null
  const accepted = new Map<string, number>()
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    accepted.set(name ?? '', q ? Number(q.slice(2)) : 1)
  }
  const ok = (e: string) => (accepted.get(e) ?? accepted.get('*') ?? 0) > 0
  if (ok('br')) return 'br'
  if (ok('gzip')) return 'gzip'
  return null
}

const cache = new Map<string, Buffer>()
let cachedBytes = 0

/** A file's bytes in `encoding`, compressed once per (path, size, mtime). */
export async function compressedFile(
  path: string,
  stamp: { size: number; mtimeMs: number },
  encoding: Encoding,
): Promise<Buffer> {
  const key = `${encoding}:${stamp.size}:${stamp.mtimeMs}:${path}`
  const hit = cache.get(key)
  if (hit) return hit
  const raw = await readFile(path)
  const out =
    encoding === 'br'
      ? await br(raw, {
          params: {
            // Quality 9 compresses a few MB in well under a second, close to 11's ratio.
            [constants.BROTLI_PARAM_QUALITY]: 9,
            [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        })
      : await gz(raw, { level: 9 })
  cache.set(key, out)
  cachedBytes += out.length
  for (const [k, v] of cache) {
    if (cachedBytes <= MAX_CACHED_BYTES) break
    cache.delete(k)
    cachedBytes -= v.length
  }
  return out
}
