/**
 * What older profiles kept about cards and keys before the access domain owned it, read once
 * by the access service into its one map (cardMap.ts): the swarm's card ↔ item table, the
 * swarm records' origin and free keys, and each account database's card registrations.
 * Read by database name only, so nothing here imports the domains that wrote them.
 */
import { type IDBPDatabase, openDB } from 'idb'
import type { Link } from './cardMap.ts'

/** True when a database of that name exists (opening one that does not would create it). */
async function exists(name: string): Promise<boolean> {
  const all = await indexedDB.databases?.().catch(() => null)
  return !!all?.some((d) => d.name === name)
}

async function rowsOf(name: string, store: string): Promise<unknown[]> {
  if (!(await exists(name))) return []
  const db = await openDB(name)
  try {
    return db.objectStoreNames.contains(store) ? await db.getAll(store) : []
  } finally {
    db.close()
  }
}

type CardItemRow = { cardId?: unknown; itemId?: unknown }
type RecordRow = { itemId?: unknown; origin?: unknown; key?: unknown }
type RegistrationRow = { cardId?: unknown; itemId?: unknown; contentSalt?: unknown }

const str = (v: unknown) => (typeof v === 'string' ? v : undefined)

/** The swarm's card ↔ item table (IndexedDB `hashcard-card-items`). */
export async function legacyCardItems(name = 'hashcard-card-items'): Promise<Link[]> {
  return ((await rowsOf(name, 'cards')) as CardItemRow[]).flatMap((r) => {
    const cardId = str(r.cardId) as `0x${string}` | undefined
    const itemId = str(r.itemId)
    return cardId && itemId ? [{ cardId, itemId }] : []
  })
}

/** The swarm records' origin and free key per item (IndexedDB `hashcard-swarm`). */
export async function legacySwarmRecords(name = 'hashcard-swarm'): Promise<Link[]> {
  return ((await rowsOf(name, 'torrents')) as RecordRow[]).flatMap((r) => {
    const itemId = str(r.itemId)
    if (!itemId) return []
    const origin = r.origin === 'own' || r.origin === 'peer' ? r.origin : undefined
    const freeKey = r.key instanceof Uint8Array ? r.key : undefined
    return [{ itemId, origin, freeKey }]
  })
}

/** The card registrations in an account's database (its `cards` store). */
export async function legacyRegistrations(db: IDBPDatabase): Promise<Link[]> {
  if (!db.objectStoreNames.contains('cards')) return []
  return ((await db.getAll('cards')) as RegistrationRow[]).flatMap((r) => {
    const cardId = str(r.cardId) as `0x${string}` | undefined
    if (!cardId) return []
    const salt = str(r.contentSalt)
    return [{ cardId, itemId: str(r.itemId), contentSalt: salt }]
  })
}
