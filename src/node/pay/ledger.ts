/**
 * The payment ledger in IndexedDB (DESIGN §4.6): per (payer, payee, cardId) and per side —
 * `sent` (this node paid) or `received` (this node was paid) — the newest cheque, the slices
 * and bytes it covered, and what was cashed on-chain. It survives reloads, so a payer never
 * signs less than it already signed, and it agrees with the chain through `ChequeCashed`
 * events (or an authoritative `paidOf` read).
 *
 * Amounts are decimal strings in the store (bigint-safe in any IndexedDB, as cursorStore does).
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb'
import type { Address, Hex } from 'viem'
import { InternalError } from '../../shared/errors/common.ts'
import { LedgerRegressionError } from '../../shared/errors/pay.ts'

/** Which side of the line this node is on. */
export type LedgerSide = 'sent' | 'received'
/** Names a line. */
export type LineKey = { payer: Address; payee: Address; cardId: Hex }

/** One line as the ledger knows it. */
export type LedgerLine = LineKey & {
  side: LedgerSide
  /** The newest cumulative signed (sent) or accepted (received). */
  cumulative: bigint
  /** Its signature, 65 bytes hex. */
  signature: Hex
  slices: number
  bytes: number
  /** Wei paid on-chain so far on this line. */
  cashed: bigint
  updatedAt: number
}

/** A `ChequeCashed` log, with its position for idempotent replays. */
export type CashedEvent = LineKey & { amount: bigint; blockNumber: bigint; logIndex: number }

type Row = Omit<LedgerLine, 'cumulative' | 'cashed'> & {
  id: string
  cumulative: string
  cashed: string
  /** `block:logIndex` of the last event applied (zero-padded, so strings order like numbers). */
  cashedThrough: string
}
type DayRow = { day: string; spent: string }

/** A cheque signed ahead of its slice (the payer's write-ahead), by `sent` line id. */
type AheadRow = { id: string; cumulative: string; signature: Hex }

interface PayDb extends DBSchema {
  lines: { key: string; value: Row; indexes: { byPayer: [string, string] } }
  days: { key: string; value: DayRow }
  ahead: { key: string; value: AheadRow }
}

const idOf = (side: LedgerSide, k: LineKey): string =>
  `${side}:${k.payer}:${k.payee}:${k.cardId}`.toLowerCase()
/** A log index above any in a block: a position that ends its block. */
const LAST_LOG = 9_999_999_999
const eventPos = (e: CashedEvent): string =>
  `${e.blockNumber.toString().padStart(20, '0')}:${e.logIndex.toString().padStart(10, '0')}`

function fromRow(r: Row): LedgerLine {
  const { id: _id, cashedThrough: _c, cumulative, cashed, ...rest } = r
  return { ...rest, cumulative: BigInt(cumulative), cashed: BigInt(cashed) }
}

/** The ledger's operations. */
export type PayLedger = {
  get(side: LedgerSide, key: LineKey): Promise<LedgerLine | undefined>
  /** Every line (of one side, if given): the pay service keeps them in memory. */
  lines(side?: LedgerSide): Promise<LedgerLine[]>
  /**
   * Records the newest cheque on a line, with the slices and bytes it adds. Refuses to go
   * backwards (`LedgerRegressionError`). For `sent` cheques the increase is added to `day`'s
   * spending in the same transaction, so caps survive reloads too. With `ahead` (a `sent` line),
   * the next cheque is stored ahead in that transaction too, as {@link PayLedger.putAhead}
   * does: one write per cheque for a payer signing ahead (spend.ts).
   */
  recordCheque(
    side: LedgerSide,
    key: LineKey,
    p: { cumulative: bigint; signature: Hex; slices?: number; bytes?: number; day?: string },
    ahead?: { cumulative: bigint; signature: Hex },
  ): Promise<LedgerLine>
  /**
   * Stores the next cheque of a `sent` line ahead of its slice (spend.ts, write-ahead): one
   * put, replacing the previous one. It is not spending until `recordCheque` records it.
   */
  putAhead(key: LineKey, cheque: { cumulative: bigint; signature: Hex }): Promise<void>
  /** The cheque stored ahead on a `sent` line, if any. */
  getAhead(key: LineKey): Promise<{ cumulative: bigint; signature: Hex } | undefined>
  /** Σ (cumulative − cashed) over every `received` line of a payer, except `except`. */
  uncashedFrom(payer: Address, except?: LineKey): Promise<bigint>
  /** `received` lines with something left to cash. */
  owed(): Promise<LedgerLine[]>
  /** Wei signed away on a day (`YYYY-MM-DD`, UTC). */
  spentOn(day: string): Promise<bigint>
  /** Applies `ChequeCashed` events (in chain order); events already applied are ignored. */
  reconcile(events: readonly CashedEvent[]): Promise<void>
  /**
   * Sets what was cashed on a line from `paidOf` (authoritative; undoes reorged events). With
   * `asOf`, the block `paid` was read at: events up to it count as applied, later ones apply.
   */
  setCashed(side: LedgerSide, key: LineKey, paid: bigint, asOf?: bigint): Promise<void>
  close(): void
}

/**
 * Opens (creating if needed) the ledger database.
 * @example const ledger = await openPayLedger() // 'hashcard-pay'
 */
export async function openPayLedger(opts: { dbName?: string } = {}): Promise<PayLedger> {
  const db: IDBPDatabase<PayDb> = await openDB<PayDb>(opts.dbName ?? 'hashcard-pay', 2, {
    upgrade(d, oldVersion) {
      if (oldVersion < 1) {
        const lines = d.createObjectStore('lines', { keyPath: 'id' })
        lines.createIndex('byPayer', ['side', 'payer'])
        d.createObjectStore('days', { keyPath: 'day' })
      }
      if (oldVersion < 2) d.createObjectStore('ahead', { keyPath: 'id' })
    },
  })
  const all = async (side: LedgerSide, payer: Address): Promise<Row[]> =>
    db.getAllFromIndex('lines', 'byPayer', [side, payer.toLowerCase()])

  return {
    async get(side, key) {
      const r = await db.get('lines', idOf(side, key))
      return r && fromRow(r)
    },

    async recordCheque(side, key, p, ahead) {
      if (ahead && side !== 'sent')
        throw new InternalError('Only a sent line stores a cheque ahead.')
      const tx = db.transaction(['lines', 'days', 'ahead'], 'readwrite')
      const lines = tx.objectStore('lines')
      const id = idOf(side, key)
      const old = await lines.get(id)
      const before = old ? BigInt(old.cumulative) : 0n
      if (p.cumulative < before || (p.cumulative === before && old?.signature !== p.signature)) {
        tx.abort()
        await tx.done.catch(() => undefined)
        throw new LedgerRegressionError(
          `A ${side} cheque must be above the newest one on its line (${before} wei).`,
          { details: `${id} ${p.cumulative}` },
        )
      }
      const row: Row = {
        id,
        side,
        payer: key.payer.toLowerCase() as Address,
        payee: key.payee.toLowerCase() as Address,
        cardId: key.cardId.toLowerCase() as Hex,
        cumulative: p.cumulative.toString(),
        signature: p.signature,
        slices: (old?.slices ?? 0) + (p.slices ?? 0),
        bytes: (old?.bytes ?? 0) + (p.bytes ?? 0),
        cashed: old?.cashed ?? '0',
        cashedThrough: old?.cashedThrough ?? '',
        updatedAt: Date.now(),
      }
      await lines.put(row)
      if (side === 'sent' && p.day && p.cumulative > before) {
        const days = tx.objectStore('days')
        const d = await days.get(p.day)
        const spent = BigInt(d?.spent ?? '0') + (p.cumulative - before)
        await days.put({ day: p.day, spent: spent.toString() })
      }
      if (ahead)
        await tx.objectStore('ahead').put({
          id,
          cumulative: ahead.cumulative.toString(),
          signature: ahead.signature,
        })
      await tx.done
      return fromRow(row)
    },

    async putAhead(key, cheque) {
      const id = idOf('sent', key)
      await db.put('ahead', {
        id,
        cumulative: cheque.cumulative.toString(),
        signature: cheque.signature,
      })
    },

    async getAhead(key) {
      const r = await db.get('ahead', idOf('sent', key))
      return r && { cumulative: BigInt(r.cumulative), signature: r.signature }
    },

    async lines(side) {
      const rows = await db.getAll('lines')
      return rows.filter((r) => side === undefined || r.side === side).map(fromRow)
    },

    async uncashedFrom(payer, except) {
      const skip = except && idOf('received', except)
      let sum = 0n
      for (const r of await all('received', payer)) {
        if (r.id === skip) continue
        const left = BigInt(r.cumulative) - BigInt(r.cashed)
        if (left > 0n) sum += left
      }
      return sum
    },

    async owed() {
      const rows = await db.getAll('lines')
      return rows
        .filter((r) => r.side === 'received' && BigInt(r.cumulative) > BigInt(r.cashed))
        .map(fromRow)
    },

    async spentOn(day) {
      return BigInt((await db.get('days', day))?.spent ?? '0')
    },

    async reconcile(events) {
      const tx = db.transaction('lines', 'readwrite')
      for (const e of events) {
        for (const side of ['sent', 'received'] as const) {
          const r = await tx.store.get(idOf(side, e))
          const pos = eventPos(e)
          if (!r || r.cashedThrough >= pos) continue
          r.cashed = (BigInt(r.cashed) + e.amount).toString()
          r.cashedThrough = pos
          r.updatedAt = Date.now()
          await tx.store.put(r)
        }
      }
      await tx.done
    },

    async setCashed(side, key, paid, asOf) {
      const tx = db.transaction('lines', 'readwrite')
      const r = await tx.store.get(idOf(side, key))
      if (r) {
        r.cashed = paid.toString()
        if (asOf !== undefined)
          r.cashedThrough = eventPos({ ...key, amount: 0n, blockNumber: asOf, logIndex: LAST_LOG })
        r.updatedAt = Date.now()
        await tx.store.put(r)
      }
      await tx.done
    },

    close: () => db.close(),
  }
}
