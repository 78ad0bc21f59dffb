/**
 * Where a range read gets its ciphertext ({@link SliceSource}): the store alone (`store.read`,
 * tests), or the swarm first and then the store (`/c/`, which plays what is still arriving).
 */

import { ItemNotFoundError } from '../../shared/errors/store.ts'
import { layout } from '../crypto/layout.ts'
import type { ItemMeta } from '../store/meta.ts'
import type { SliceStore } from '../store/types.ts'
import type { SliceSource } from './range.ts'

/**
 * A stored item's slices (by id or by its metadata), read and hash-checked by the store; throws
 * ItemNotFoundError when there is no such item.
 * @example await readPlaintext(await storeSource(store, id), decryptWith(cipher), { start, end }, { signal })
 */
export async function storeSource(store: SliceStore, of: string | ItemMeta): Promise<SliceSource> {
  const item = typeof of === 'string' ? await store.item(of) : of
  if (!item) throw new ItemNotFoundError(`No stored item ${of}.`)
  return {
    layout: layout(item.size, item.sliceSize),
    ensure: (i, signal) => store.getSlice(item.id, i, { signal }),
  }
}

/** What {@link swarmSource} needs from the swarm. */
export type SwarmSlices = {
  /** Resolves once slice i of the item is stored (fetching it from peers first). */
  slice(itemId: string, i: number, signal?: AbortSignal): Promise<void>
  /** Moves the item's deadline window to a plaintext byte position (up to a read's end). */
  setPosition(itemId: string, position: number, end?: number): void
}

/** An item the swarm may still be fetching: each slice is waited for, then read from the store. */
export function swarmSource(swarm: SwarmSlices, store: SliceStore, item: ItemMeta): SliceSource {
  return {
    layout: layout(item.size, item.sliceSize),
    ensure: async (i, signal) => {
      await swarm.slice(item.id, i, signal)
      return store.getSlice(item.id, i, { signal })
    },
    position: (p, end) => swarm.setPosition(item.id, p, end),
  }
}
