/**
 * The ledger's lines in memory (DESIGN §4.6): what the seeder's hot path reads — the newest
 * cheque held per line, what was cashed, what a payer owes this node on its other lines —
 * with no IndexedDB wait. Loaded from the ledger when a pay session opens; updated in step
 * with it (a received cheque here first, then persisted; a sent one after it was persisted).
 */
import type { Address, Hex } from 'viem'
import type { LedgerLine, LedgerSide, LineKey } from './ledger.ts'

/** The id of a line on one side, as the ledger keys it. */
export const lineId = (side: LedgerSide, k: LineKey): string =>
  `${side}:${k.payer}:${k.payee}:${k.cardId}`.toLowerCase()

const left = (l: LedgerLine): bigint => (l.cumulative > l.cashed ? l.cumulative - l.cashed : 0n)

/** Every line of this node's ledger, by id; received lines also by payer. */
export class LineBook {
  readonly #lines = new Map<string, LedgerLine>()
  /** payer (lowercase) → ids of its received lines. */
  readonly #byPayer = new Map<string, Set<string>>()

  constructor(lines: readonly LedgerLine[] = []) {
    for (const l of lines) this.put(l)
  }

  get(side: LedgerSide, key: LineKey): LedgerLine | undefined {
    return this.#lines.get(lineId(side, key))
  }

  /** Sets a line (a newer cheque, or the ledger's copy). */
  put(line: LedgerLine): void {
    const id = lineId(line.side, line)
    this.#lines.set(id, line)
    if (line.side !== 'received') return
    const payer = line.payer.toLowerCase()
    const ids = this.#byPayer.get(payer) ?? new Set<string>()
    ids.add(id)
    this.#byPayer.set(payer, ids)
  }

  /**
   * Sets what was cashed on a line, from the ledger after a reconcile; the cheque held stays
   * the one in memory, which may be newer than the ledger's while it is being persisted.
   */
  setCashed(side: LedgerSide, key: LineKey, cashed: bigint): void {
    const l = this.get(side, key)
    if (l && l.cashed !== cashed) this.put({ ...l, cashed })
  }

  /** Lines of one side, or all. */
  all(side?: LedgerSide): LedgerLine[] {
    const out = [...this.#lines.values()]
    return side ? out.filter((l) => l.side === side) : out
  }

  /** Wei held but not cashed on `payer`'s received lines, except the one for `exceptCard`. */
  uncashedFrom(payer: Address, exceptCard?: Hex): bigint {
    let sum = 0n
    const skip = exceptCard?.toLowerCase()
    for (const id of this.#byPayer.get(payer.toLowerCase()) ?? []) {
      const l = this.#lines.get(id)
      if (l && l.cardId.toLowerCase() !== skip) sum += left(l)
    }
    return sum
  }

  /** Received lines with something left to cash. */
  owed(): LedgerLine[] {
    return this.all('received').filter((l) => left(l) > 0n)
  }

  /** Σ (cumulative − cashed) over one side: owed to this node, or promised by it. */
  outstanding(side: LedgerSide): bigint {
    return this.all(side).reduce((s, l) => s + left(l), 0n)
  }

  /** Wei signed away per card over every payee (the per-item cap counts them). */
  spentPerItem(): Map<string, bigint> {
    const out = new Map<string, bigint>()
    for (const l of this.all('sent')) {
      const k = l.cardId.toLowerCase()
      out.set(k, (out.get(k) ?? 0n) + l.cumulative)
    }
    return out
  }
}
