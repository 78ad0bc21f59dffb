/**
 * The indices of the sites this node serves (DESIGN §4.8): read once per item through the one
 * range reader (the archive's first 12 bytes, then its index), checked by the archive decoder,
 * and kept for the few sites in use, so a page's many requests read only their files' slices.
 */
import {
  decodeIndex,
  HEADER_BYTES,
  indexLength,
  type SiteIndex,
} from '../../shared/site/archive.ts'

/** Sites whose index is kept. */
const KEEP = 16

/** Reads plaintext bytes [start, end) of an item. */
export type ReadRange = (start: number, end: number) => Promise<Uint8Array>

export type SiteIndexCache = {
  /** The decoded index of an item (throws SiteArchiveError when it is not a site archive). */
  get(itemId: string, size: number, read: ReadRange): Promise<SiteIndex>
}

/** @example const index = await cache.get(itemId, item.size, (s, e) => readPlaintext(src, t, { start: s, end: e })) */
export function siteIndexCache(keep = KEEP): SiteIndexCache {
  const cache = new Map<string, Promise<SiteIndex>>()
  return {
    get(itemId, size, read) {
      const hit = cache.get(itemId)
      if (hit) {
        cache.delete(itemId) // most recent last
        cache.set(itemId, hit)
        return hit
      }
      const p = (async () => {
        const len = indexLength(await read(0, HEADER_BYTES))
        return decodeIndex(await read(0, HEADER_BYTES + len), size)
      })()
      p.catch(() => cache.delete(itemId)) // a failed read is tried again next time
      cache.set(itemId, p)
      while (cache.size > keep) cache.delete(cache.keys().next().value as string)
      return p
    },
  }
}
