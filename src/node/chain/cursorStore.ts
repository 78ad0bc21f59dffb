/**
 * Persisted log-sync cursors in IndexedDB (via idb): where each consumer stopped and the hashes
 * of the last blocks it saw, so a restarted node resumes and notices reorgs.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb'

/** A block the cursor has passed, with its hash at the time. */
export type SeenBlock = { number: string; hash: `0x${string}` }

/** One consumer's position. Block numbers are decimal strings (bigint-safe in any store). */
export type LogCursor = {
  key: string
  /** Identifies what is synced (addresses, start block); a different scope restarts the sync. */
  scope: string
  /** First block not yet delivered. */
  next: string
  /** The newest blocks passed, oldest first (at most `reorgDepth`). */
  seen: SeenBlock[]
}

interface CursorDb extends DBSchema {
  cursors: { key: string; value: LogCursor }
}

/** Reads and writes cursors. */
export type CursorStore = {
  get(key: string): Promise<LogCursor | undefined>
  put(cursor: LogCursor): Promise<void>
  delete(key: string): Promise<void>
  close(): void
}

/**
 * Opens (creating if needed) the cursor database.
 * @example const store = await openCursorStore() // 'hashcard-chain'
 */
export async function openCursorStore(opts: { dbName?: string } = {}): Promise<CursorStore> {
  const db: IDBPDatabase<CursorDb> = await openDB<CursorDb>(opts.dbName ?? 'hashcard-chain', 1, {
    upgrade(d) {
      d.createObjectStore('cursors', { keyPath: 'key' })
    },
  })
  return {
    get: (key) => db.get('cursors', key),
    put: async (cursor) => {
      await db.put('cursors', cursor)
    },
    delete: (key) => db.delete('cursors', key),
    close: () => db.close(),
  }
}
