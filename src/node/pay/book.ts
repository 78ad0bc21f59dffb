/**
 * Payers' chequebook accounts as log sync sees them (DESIGN §4.6: "balance and paidOf come
 * from log sync, cached"): balance, announced withdrawal and its unlock time, for the payers
 * this node deals with — itself, and every payer it holds or is offered cheques from.
 *
 * Only watched payers are kept, so memory follows this node's trade, not the chain's. A payer
 * is seeded by one `accounts(payer)` read pinned to the block log sync has reached (`since`);
 * events after that block are applied on top (queued while the read is in flight), events up
 * to it are already in the read. That makes the view exact whenever a payer starts being
 * watched, after a restart (the cursor is persisted, the map is not) and after a reorg.
 * Until its read arrives a payer counts as having nothing: no credit on an unknown book.
 */
import type { Address } from 'viem'
import type { chequebookAbi } from '../chain/abi.ts'
import type { SyncedLog } from '../chain/logSync.ts'

/** A Chequebook event as log sync delivers it. */
export type ChequebookLog = SyncedLog<typeof chequebookAbi>

/** A payer's account: `accounts(payer)` of the contract. */
export type BookAccount = { balance: bigint; announced: bigint; unlockAt: number }

type Entry = { since: bigint; state: BookAccount | null; queued: ChequebookLog[] }

export type PayerBookInit = {
  /** `accounts(payer)` at `blockNumber`. */
  read(payer: Address, blockNumber: bigint): Promise<BookAccount>
  /** The last block log sync delivered. */
  syncedTo(): bigint
  /** The contract's deployment block: before it every account is empty (no read needed). */
  fromBlock: bigint
  /** A payer's account changed (seeded, or an event applied). */
  onChange?: (payer: Address) => void
  onError?: (err: unknown) => void
  /** A failed read is retried by the next `watch()` this much later at the earliest (ms). */
  retryMs?: number
  now?: () => number
}

/** The payer an event is about, lowercase; null for events that move no book. */
function payerOf(l: ChequebookLog): string | null {
  switch (l.eventName) {
    case 'Deposited':
    case 'WithdrawAnnounced':
    case 'Withdrawn':
    case 'ChequeCashed':
      return l.args.payer.toLowerCase()
    default:
      return null
  }
}

/** Applies one event to an account, as the contract changed it. */
function applyEvent(a: BookAccount, l: ChequebookLog): void {
  switch (l.eventName) {
    case 'Deposited':
      a.balance = l.args.balance // the new balance itself: nothing to add up
      return
    case 'WithdrawAnnounced':
      a.announced = l.args.amount
      a.unlockAt = Number(l.args.unlockAt)
      return
    case 'Withdrawn':
      a.balance -= l.args.amount
      a.announced = 0n
      a.unlockAt = 0
      return
    case 'ChequeCashed':
      a.balance -= l.args.amount
      return
    default:
      return
  }
}

/** The watched payers' accounts; see the module comment. */
export class PayerBook {
  readonly #entries = new Map<string, Entry>()
  /** payer → when its last read failed (so a dead RPC is not asked at every slice). */
  readonly #failed = new Map<string, number>()

  constructor(private readonly init: PayerBookInit) {}

  /** Starts keeping `payer`'s account (a no-op if it is kept already). */
  watch(payer: Address): void {
    const k = payer.toLowerCase()
    if (this.#entries.has(k)) return
    const failedAt = this.#failed.get(k)
    const now = (this.init.now ?? Date.now)()
    if (failedAt !== undefined && now - failedAt < (this.init.retryMs ?? 5_000)) return
    this.#seed(k)
  }

  /** The account, or null while unknown (not watched, or its read is in flight). */
  account(payer: Address): BookAccount | null {
    const s = this.#entries.get(payer.toLowerCase())?.state
    return s ? { ...s } : null
  }

  /**
   * What the payer's book can still pay: its balance minus any announced withdrawal (treated
   * as gone, since it unlocks whether or not this node cashed first); 0 while unknown.
   */
  available(payer: Address): bigint {
    const s = this.#entries.get(payer.toLowerCase())?.state
    if (!s) return 0n
    return s.balance > s.announced ? s.balance - s.announced : 0n
  }

  /** Applies a batch of logs, in chain order, to the watched payers. */
  apply(logs: readonly ChequebookLog[]): void {
    const changed = new Set<string>()
    for (const l of logs) {
      const k = payerOf(l)
      const e = k === null ? undefined : this.#entries.get(k)
      if (!e || k === null || l.blockNumber <= e.since) continue
      if (!e.state) {
        e.queued.push(l)
        continue
      }
      applyEvent(e.state, l)
      changed.add(k)
    }
    for (const k of changed) this.init.onChange?.(k as Address)
  }

  /** After a reorg: every watched payer is read again at the block sync went back to. */
  reset(): void {
    const payers = [...this.#entries.keys()]
    this.#entries.clear()
    for (const k of payers) this.#seed(k)
  }

  #seed(k: string): void {
    const since = this.init.syncedTo()
    if (since < this.init.fromBlock) {
      // Log sync starts at the deployment: it will deliver every event of this payer.
      this.#entries.set(k, {
        since,
        state: { balance: 0n, announced: 0n, unlockAt: 0 },
        queued: [],
      })
      return
    }
    const e: Entry = { since, state: null, queued: [] }
    this.#entries.set(k, e)
    this.init.read(k as Address, since).then(
      (state) => {
        if (this.#entries.get(k) !== e) return // reset meanwhile: a newer read is on its way
        this.#failed.delete(k)
        for (const l of e.queued) applyEvent(state, l)
        e.queued = []
        e.state = state
        this.init.onChange?.(k as Address)
      },
      (err: unknown) => {
        if (this.#entries.get(k) === e) {
          this.#entries.delete(k) // a later watch() reads again
          this.#failed.set(k, (this.init.now ?? Date.now)())
        }
        this.init.onError?.(err)
      },
    )
  }
}
