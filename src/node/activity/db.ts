/**
 * The activity store (IndexedDB via idb), one database per account like the keys database: the
 * entries (notifications and money events) with their read state, and my KeyMarket listings
 * (the market follower's memory of which tokens are mine to be told about).
 *
 * Read state is a field of each notification (`unread` 1/0, indexed), not a "read up to" time:
 * entries of the past keep arriving (a catch-up after the tab was closed, a gossiped comment
 * mined later), and each is unread until the person has seen it.
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb'
import { type ActivityEntry, NOTIFY_KINDS } from '../../shared/protocol/methods/activity.ts'
import type { MyListing } from './entries.ts'

export const ACTIVITY_DB = 'hashcard-activity'

type Row = Omit<ActivityEntry, 'read'> & { unread?: 0 | 1 }
type ListingRow = { listingId: string; cardId: `0x${string}`; price: string }

interface ActivitySchema extends DBSchema {
  entries: { key: string; value: Row; indexes: { at: number; unread: number; block: number } }
  listings: { key: string; value: ListingRow }
  meta: { key: string; value: unknown }
}

const notify = new Set<string>(NOTIFY_KINDS)

function toRow(e: ActivityEntry): Row {
  const { read, ...rest } = e
  return notify.has(e.kind) ? { ...rest, unread: read ? 0 : 1 } : rest
}

function fromRow(r: Row): ActivityEntry {
  const { unread, ...rest } = r
  return unread === undefined ? rest : { ...rest, read: unread === 0 }
}

/** The store's operations. */
export type ActivityStore = {
  /** Adds the entries not stored yet (an id already there is left as it is); returns those added. */
  add(entries: readonly ActivityEntry[]): Promise<ActivityEntry[]>
  /** Notifications, newest first (at most `limit`; `before`: older than that time). */
  notifications(o: { limit: number; before?: number | undefined }): Promise<ActivityEntry[]>
  /** Every entry (the wallet's history is built from them). */
  all(): Promise<ActivityEntry[]>
  unread(): Promise<number>
  /** Marks these notifications read (every one when `ids` is absent); returns what stays unread. */
  markRead(ids?: readonly string[]): Promise<number>
  listings(): Promise<Map<string, MyListing>>
  putListings(l: ReadonlyMap<string, MyListing>): Promise<void>
  /**
   * Withdraws the entries of these kinds mined at `fromBlock` or later (their chain events were
   * reorganised out; log sync reads the blocks again); returns the ids removed.
   */
  dropFrom(fromBlock: number, kinds: ReadonlySet<string>): Promise<string[]>
  /** Whether the feed index's past was read into this store (service.ts, backfill). */
  backfilled(): Promise<boolean>
  setBackfilled(): Promise<void>
  close(): void
}

/**
 * Opens (creating if needed) the activity database of one account.
 * @example const store = await openActivityStore('0xabc…')
 */
export async function openActivityStore(
  address: string,
  base = ACTIVITY_DB,
): Promise<ActivityStore> {
  const db: IDBPDatabase<ActivitySchema> = await openDB<ActivitySchema>(
    `${base}-${address.toLowerCase()}`,
    2,
    {
      // Version 2 indexes entries by block: a reorg withdraws what it undid (dropFrom).
      upgrade(d, oldVersion, _new, tx) {
        if (oldVersion < 1) {
          const entries = d.createObjectStore('entries', { keyPath: 'id' })
          entries.createIndex('at', 'at')
          entries.createIndex('unread', 'unread')
          d.createObjectStore('listings', { keyPath: 'listingId' })
          d.createObjectStore('meta')
        }
        if (oldVersion < 2) tx.objectStore('entries').createIndex('block', 'block')
      },
    },
  )
  return {
    async add(entries) {
      const tx = db.transaction('entries', 'readwrite')
      const fresh = new Map<string, ActivityEntry>()
      const known = await Promise.all(entries.map((e) => tx.store.getKey(e.id)))
      entries.forEach((e, i) => {
        if (known[i] === undefined && !fresh.has(e.id)) fresh.set(e.id, e)
      })
      await Promise.all([...fresh.values()].map((e) => tx.store.put(toRow(e))))
      await tx.done
      return [...fresh.values()]
    },
    async notifications({ limit, before }) {
      const out: ActivityEntry[] = []
      const range = before === undefined ? null : IDBKeyRange.upperBound(before, true)
      let cur = await db.transaction('entries').store.index('at').openCursor(range, 'prev')
      for (; cur && out.length < limit; cur = await cur.continue())
        if (cur.value.unread !== undefined) out.push(fromRow(cur.value))
      return out
    },
    async all() {
      return (await db.getAll('entries')).map(fromRow)
    },
    unread: () => db.countFromIndex('entries', 'unread', 1),
    async markRead(ids) {
      const tx = db.transaction('entries', 'readwrite')
      const rows = ids
        ? (await Promise.all(ids.map((id) => tx.store.get(id)))).filter((r) => r !== undefined)
        : await tx.store.index('unread').getAll(1)
      await Promise.all(
        rows.filter((r) => r.unread === 1).map((r) => tx.store.put({ ...r, unread: 0 })),
      )
      const left = await tx.store.index('unread').count(1)
      await tx.done
      return left
    },
    async listings() {
      const rows = await db.getAll('listings')
      return new Map(rows.map((r) => [r.listingId, { cardId: r.cardId, price: BigInt(r.price) }]))
    },
    async putListings(l) {
      const tx = db.transaction('listings', 'readwrite')
      await Promise.all(
        [...l].map(([listingId, v]) =>
          tx.store.put({ listingId, cardId: v.cardId, price: v.price.toString() }),
        ),
      )
      await tx.done
    },
    async dropFrom(fromBlock, kinds) {
      const tx = db.transaction('entries', 'readwrite')
      const rows = await tx.store.index('block').getAll(IDBKeyRange.lowerBound(fromBlock))
      const gone = rows.filter((r) => kinds.has(r.kind)).map((r) => r.id)
      await Promise.all(gone.map((id) => tx.store.delete(id)))
      await tx.done
      return gone
    },
    backfilled: async () => (await db.get('meta', 'backfilled')) === true,
    setBackfilled: async () => {
      await db.put('meta', true, 'backfilled')
    },
    close: () => db.close(),
  }
}
