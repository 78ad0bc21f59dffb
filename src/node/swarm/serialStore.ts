/**
 * A view of the slice store in which the writes of one item take turns with its reads. A slice
 * read racing the write of another slice of the same file could see the file mid-change (and an
 * OPFS writer closes the file's read handle first); a failed read clears the slice's bit,
 * so the swarm's readers (serving peers, the Service Worker path) and its writer (verified
 * pieces) never overlap on one item. Reads overlap one another: a stream reads ahead.
 */
import type { SliceStore } from '../store/types.ts'

type Turns = { write: Promise<void>; reads: Set<Promise<void>> }

const settled = (p: Promise<unknown>): Promise<void> =>
  p.then(
    () => {},
    () => {},
  )

/**
 * Wraps `store` so that, per item, a `putSlice` starts after every call before it has settled,
 * and a `getSlice` after the `putSlice` calls before it.
 */
export function serialStore(store: SliceStore): SliceStore {
  const items = new Map<string, Turns>()
  const turns = (id: string) => {
    let t = items.get(id)
    if (!t) {
      t = { write: Promise.resolve(), reads: new Set() }
      items.set(id, t)
    }
    return t
  }
  /** Forgets an item's turns once nothing is queued under them. */
  const tidy = (id: string, t: Turns, last: Promise<void>) =>
    void last.then(() => {
      if (items.get(id) === t && t.reads.size === 0 && t.write === last) items.delete(id)
    })
  return Object.assign(Object.create(store) as SliceStore, {
    getSlice: (id: string, i: number, o?: { signal?: AbortSignal }) => {
      const t = turns(id)
      const read = t.write.then(() => store.getSlice(id, i, o))
      const done = settled(read)
      t.reads.add(done)
      void done.then(() => {
        t.reads.delete(done)
        tidy(id, t, t.write)
      })
      return read
    },
    putSlice: (id: string, i: number, ct: Uint8Array, o?: { signal?: AbortSignal }) => {
      const t = turns(id)
      const write = Promise.all([t.write, ...t.reads]).then(() => store.putSlice(id, i, ct, o))
      t.write = settled(write)
      t.reads = new Set()
      tidy(id, t, t.write)
      return write
    },
  })
}
