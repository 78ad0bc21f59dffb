/**
 * A view of the slice store in which reads and writes of one item take turns. A slice read
 * racing the write of another slice of the same file could see the file mid-change (OPFS
 * `getFile()` snapshots versus a sync access handle); a failed read clears the slice's bit,
 * so the swarm's readers (serving peers, the Service Worker path) and its writer (verified
 * pieces) never overlap on one item.
 */
import type { SliceStore } from '../store/sliceStore.ts'
import { turn } from '../store/turn.ts'

/** Wraps `store` so `getSlice` and `putSlice` of the same item run one at a time. */
export function serialStore(store: SliceStore): SliceStore {
  const tails = new Map<string, Promise<unknown>>()
  return Object.assign(Object.create(store) as SliceStore, {
    putSlice: (id: string, i: number, ct: Uint8Array, o?: { signal?: AbortSignal }) =>
      turn(tails, id, () => store.putSlice(id, i, ct, o)),
    getSlice: (id: string, i: number, o?: { signal?: AbortSignal }) =>
      turn(tails, id, () => store.getSlice(id, i, o)),
  })
}
