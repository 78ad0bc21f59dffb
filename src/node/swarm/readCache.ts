/**
 * The slices a seeder read lately, shared by the requests for their blocks. A peer asks for a
 * slice block by block, and its requests for one slice spread over time as its pipeline frees
 * up; webtorrent's own cache (a fixed number of slots, kept for as long as the torrent runs)
 * held too few for that: in the stream benchmark a seeder read and hashed each slice 3.2 times.
 * Here concurrent reads of a slice share one, and a slice stays until `idleMs` pass without a
 * request for it or until `maxBytes` pushes the least recently used out, so an idle torrent
 * holds nothing. A failed read is not kept: the next request reads again.
 */
export type ReadCache<T> = {
  /** Slice `i` from the cache, else from `read()` (which then fills it). */
  get(i: number, read: () => Promise<T>): Promise<T>
  /** Forgets everything and stops the idle timer. */
  clear(): void
  /** Bytes of the slices held (for tests and stats). */
  readonly bytes: number
}

type Entry<T> = { value: Promise<T>; bytes: number; used: number }

export function readCache<T extends { byteLength: number }>(o: {
  maxBytes: number
  idleMs: number
  now?: () => number
}): ReadCache<T> {
  const now = o.now ?? (() => performance.now())
  // A Map iterates in insertion order: re-inserting on each hit keeps the oldest use first.
  const entries = new Map<number, Entry<T>>()
  let bytes = 0
  let timer: ReturnType<typeof setInterval> | null = null

  const drop = (i: number, only?: Entry<T>) => {
    const e = entries.get(i)
    if (!e || (only && e !== only)) return
    entries.delete(i)
    bytes -= e.bytes
  }
  const stopIfEmpty = () => {
    if (entries.size > 0 || !timer) return
    clearInterval(timer)
    timer = null
  }
  const sweep = () => {
    const idleSince = now() - o.idleMs
    for (const [i, e] of entries) if (e.used <= idleSince) drop(i)
    stopIfEmpty()
  }

  return {
    get(i, read) {
      const hit = entries.get(i)
      if (hit) {
        hit.used = now()
        entries.delete(i)
        entries.set(i, hit)
        return hit.value
      }
      const e: Entry<T> = { value: read(), bytes: 0, used: now() }
      entries.set(i, e)
      e.value.then(
        (v) => {
          if (entries.get(i) !== e) return
          e.bytes = v.byteLength
          bytes += e.bytes
          for (const [j] of entries) {
            if (bytes <= o.maxBytes) break
            drop(j)
          }
          stopIfEmpty()
        },
        () => {
          drop(i, e)
          stopIfEmpty()
        },
      )
      timer ??= setInterval(sweep, o.idleMs)
      return e.value
    },
    clear() {
      entries.clear()
      bytes = 0
      stopIfEmpty()
      if (timer) clearInterval(timer)
      timer = null
    },
    get bytes() {
      return bytes
    },
  }
}
