/**
 * Store metadata in IndexedDB (idb): `items` (one record per item) and `slices` (per item: the
 * presence bitfield, the SHA-256 of every ciphertext slice, bytes held). A slice's bit is set
 * only in the same transaction that records its hash, and only after its bytes were flushed.
 */
import { type IDBPDatabase, openDB } from 'idb'

export const STORE_DB = 'hashcard-store'

export type ItemState = 'publishing' | 'partial' | 'complete'

/** One stored item (DESIGN §2: one ciphertext file, slices of S). */
export type ItemMeta = {
  id: string
  size: number
  sliceSize: number
  count: number
  contentSalt: Uint8Array
  /** Merkle root of the slice hashes (merkle.ts); null until every hash is known. */
  contentRoot: Uint8Array | null
  state: ItemState
  name?: string | undefined
  mime?: string | undefined
  createdAt: number
}

/** Per-item slice state. `hashes` holds 32 bytes per slice (zeros = not known yet). */
export type SliceRecord = {
  id: string
  bitfield: Uint8Array
  hashes: Uint8Array
  /** True when `hashes` came with the item (from its publisher), false when learned on write. */
  hashesKnown: boolean
  bytes: number
}

export type MetaDb = IDBPDatabase

export async function openMeta(name = STORE_DB): Promise<MetaDb> {
  return openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore('items', { keyPath: 'id' })
      db.createObjectStore('slices', { keyPath: 'id' })
    },
  })
}

export async function putItem(db: MetaDb, item: ItemMeta, slices: SliceRecord): Promise<void> {
  const tx = db.transaction(['items', 'slices'], 'readwrite')
  await Promise.all([
    tx.objectStore('items').put(item),
    tx.objectStore('slices').put(copyRecord(slices)),
    tx.done,
  ])
}

export async function putSlices(db: MetaDb, rec: SliceRecord): Promise<void> {
  await db.put('slices', copyRecord(rec))
}

export async function getItem(db: MetaDb, id: string): Promise<ItemMeta | undefined> {
  return db.get('items', id)
}

export async function getSlices(db: MetaDb, id: string): Promise<SliceRecord | undefined> {
  return db.get('slices', id)
}

export async function allItems(db: MetaDb): Promise<ItemMeta[]> {
  return db.getAll('items')
}

export async function deleteItem(db: MetaDb, id: string): Promise<void> {
  const tx = db.transaction(['items', 'slices'], 'readwrite')
  await Promise.all([
    tx.objectStore('items').delete(id),
    tx.objectStore('slices').delete(id),
    tx.done,
  ])
}

/** IndexedDB stores a view's whole buffer: copy (PLATFORM.md). */
function copyRecord(r: SliceRecord): SliceRecord {
  return { ...r, bitfield: r.bitfield.slice(), hashes: r.hashes.slice() }
}
