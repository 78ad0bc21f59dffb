/**
 * What the swarm remembers per item across reloads (IndexedDB `hashcard-swarm`): the
 * infoHash, the .torrent bytes once known (so a reopened tab resumes without asking peers
 * for metadata), and the content key of free items (DESIGN §2: free cards carry it inline).
 * The slices themselves and which of them are verified live in the slice store.
 */
import { type IDBPDatabase, openDB } from 'idb'

export const SWARM_DB = 'hashcard-swarm'

export type TorrentRecord = {
  itemId: string
  infoHash: string
  /** `own`: published here (key derived from the identity); `peer`: fetched from the swarm. */
  origin: 'own' | 'peer'
  torrentFile: Uint8Array | null
  name?: string | undefined
  mime?: string | undefined
  /** Legacy: the free key older builds kept here; access/legacy.ts reads it into the access map. */
  key?: Uint8Array | undefined
  createdAt: number
}

export type RecordDb = IDBPDatabase

export function openRecords(name = SWARM_DB): Promise<RecordDb> {
  return openDB(name, 1, {
    upgrade(db) {
      const s = db.createObjectStore('torrents', { keyPath: 'itemId' })
      s.createIndex('infoHash', 'infoHash', { unique: true })
    },
  })
}

export async function putRecord(db: RecordDb, r: TorrentRecord): Promise<void> {
  await db.put('torrents', {
    ...r,
    torrentFile: r.torrentFile?.slice() ?? null,
    key: r.key?.slice(),
  })
}

export async function allRecords(db: RecordDb): Promise<TorrentRecord[]> {
  return db.getAll('torrents')
}

export async function deleteRecord(db: RecordDb, itemId: string): Promise<void> {
  await db.delete('torrents', itemId)
}
