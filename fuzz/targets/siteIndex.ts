/**
 * The site archive's header and index (src/shared/site/archive.ts), as src/node/site/index.ts
 * reads them from a swarmed archive: the header, then that many index bytes, checked against
 * the archive's size.
 */
import fc from 'fast-check'
import { SiteArchiveError } from '../../src/shared/errors/site.ts'
import {
  checkPath,
  decodeIndex,
  encodeIndex,
  HEADER_BYTES,
  indexLength,
} from '../../src/shared/site/archive.ts'
import { type FuzzTarget, hexForm } from '../harness.ts'
import { fuzzBytes, pool } from '../mutate.ts'

/** A path segment checkPath accepts. */
function isSegment(s: string): boolean {
  try {
    return checkPath(s) === s && !s.includes('/')
  } catch {
    return false
  }
}
const segment = fc.oneof(
  fc.constantFrom('index.html', 'a', 'css', 'img', 'é', '日本', 'x.js'),
  fc.string({ minLength: 1, maxLength: 8 }).filter(isSegment),
)
const pathArb = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'))
const enc = new TextEncoder()
const byUtf8 = (a: string, b: string) => Buffer.compare(enc.encode(a), enc.encode(b))

/** A valid archive: header, index and the files' bytes. */
export const siteArchiveArb = fc
  .uniqueArray(
    fc.record({
      path: pathArb,
      size: fc.nat(40),
      mime: fc.constantFrom('text/html; charset=utf-8', 'image/png', 'application/octet-stream'),
      sha256: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    }),
    { minLength: 1, maxLength: 6, selector: (f) => f.path },
  )
  .map((files) => {
    const sorted = [...files].sort((a, b) => byUtf8(a.path, b.path))
    const head = encodeIndex(sorted)
    const out = new Uint8Array(head.length + sorted.reduce((n, f) => n + f.size, 0))
    out.set(head)
    return out
  })

/** Reads the index the way the node does; the archive's size is the input's length. */
export function readSiteIndex(archive: Uint8Array) {
  const len = indexLength(archive.subarray(0, HEADER_BYTES))
  return decodeIndex(archive.subarray(0, HEADER_BYTES + len), archive.length)
}

export const siteIndexTarget: FuzzTarget<Uint8Array> = {
  name: 'site-index',
  input: fuzzBytes(pool(siteArchiveArb, 400), 300),
  parse: readSiteIndex,
  errors: [SiteArchiveError],
  ...hexForm,
}
