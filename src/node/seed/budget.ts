/**
 * The storage budget at work (DESIGN §4.7): before a download, a publish or a preview is
 * stored, {@link StorageBudget.ensureRoom} checks that its whole size fits within the budget
 * and, when it would not, evicts the items of least value (eviction.ts) until it does.
 *
 * - Never evicted: pinned items and this node's own items (the planner returns them as
 *   "needs asking", and nothing here asks yet: the call fails instead), and items being
 *   played.
 * - When the room cannot be made without those, it throws `StorageBudgetError` *before*
 *   evicting anything: a refused item costs the node nothing else.
 * - Checks run one at a time, and room handed out counts as used until its holder releases
 *   it (once the new item exists and counts itself), so two items starting together cannot
 *   both squeeze into the same free bytes.
 *
 * The budget is the settings' (bytes, or a share of the origin's quota): with an unknown
 * quota, a share is no limit at all (the browser's own quota check still applies).
 */
import { AbortedError } from '../../shared/errors/common.ts'
import { StorageBudgetError } from '../../shared/errors/seed.ts'
import { logger } from '../log.ts'
import type { Room } from '../store/quota.ts'
import { type EvictionCandidate, planEviction } from './eviction.ts'
import type { Holding, Holdings } from './holdings.ts'
import { budgetBytes, type SeedSettingsStore } from './settings.ts'

const log = logger('seed:budget')

/** The origin's quota, when the browser says (`navigator.storage.estimate()`). */
export type QuotaFn = () => Promise<number | null>

export type BudgetComponents = {
  settings: () => SeedSettingsStore
  holdings: Holdings
  quota: QuotaFn
  /** Wei earned from an item over the last 7 days (the pay ledger); 0 without. */
  earned?: (itemId: string) => bigint
  /** Other nodes known to hold an item (the availability map); 0 without. */
  seeders?: (itemId: string) => number
  now?: () => number
}

/** Where the budget stands: bytes counted (holdings and room handed out) and the budget. */
export type BudgetState = { holdings: Holding[]; used: number; budget: number }

const MiB = 1024 * 1024
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`

export class StorageBudget {
  private queue: Promise<unknown> = Promise.resolve()
  private readonly reserved = new Map<symbol, number>()

  constructor(private readonly c: BudgetComponents) {}

  /** The budget in bytes now (Infinity when it is a share of an unknown quota). */
  async budget(): Promise<number> {
    const quota = await this.c.quota().catch(() => null)
    return budgetBytes(this.c.settings().get(), quota && quota > 0 ? quota : Infinity)
  }

  /** The holdings, the bytes they (and room handed out) count, and the budget. */
  async state(): Promise<BudgetState> {
    const [holdings, budget] = await Promise.all([this.c.holdings.list(), this.budget()])
    let used = 0
    for (const h of holdings) used += h.bytes
    for (const r of this.reserved.values()) used += r
    return { holdings, used, budget }
  }

  /**
   * Makes room for `bytes` more, evicting the least valuable items if it must; the room is
   * held for the caller until it calls `release()`. Throws StorageBudgetError, having evicted
   * nothing, when it cannot.
   * @example const room = await budget.ensureRoom(cipherSize); try { create() } finally { room.release() }
   */
  ensureRoom(bytes: number, options: { signal?: AbortSignal | undefined } = {}): Promise<Room> {
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      return Promise.reject(new RangeError(`bytes: expected an integer ≥ 0, got ${bytes}`))
    const run = this.queue.then(() => this.makeRoom(bytes, options.signal))
    this.queue = run.catch(() => {})
    return run
  }

  private async makeRoom(bytes: number, signal: AbortSignal | undefined): Promise<Room> {
    if (signal?.aborted) throw new AbortedError('Making room was cancelled.')
    const { holdings, used, budget } = await this.state()
    const needed = used + bytes - budget
    if (needed > 0) await this.evictFor(holdings, needed, bytes, budget, signal)
    const key = Symbol('room')
    this.reserved.set(key, bytes)
    return { release: () => void this.reserved.delete(key) }
  }

  private async evictFor(
    holdings: Holding[],
    needed: number,
    bytes: number,
    budget: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (bytes > budget)
      throw new StorageBudgetError(
        `This item (${mib(bytes)}) is larger than your whole storage budget (${mib(budget)}).`,
        { details: `needs ${bytes} bytes; budget ${budget}` },
      )
    const playing = await this.c.holdings.playing()
    const candidates = holdings.map((h) => this.candidate(h, playing))
    // Throws StorageBudgetError when even the pinned and own items would not be enough.
    const plan = planEviction(candidates, { needed, now: (this.c.now ?? Date.now)() })
    if (plan.shortfall > 0)
      throw new StorageBudgetError(
        'There is not enough room within your storage budget without removing pinned or published items. Raise the budget, or unpin or delete something.',
        {
          details: `needs ${needed} bytes more; evictable ${plan.freed}; would need ${plan.needsAsking.map((c) => c.id).join(', ')}`,
        },
      )
    const byId = new Map(holdings.map((h) => [h.id, h]))
    for (const c of plan.evict) {
      if (signal?.aborted) throw new AbortedError('Making room was cancelled.')
      const h = byId.get(c.id) as Holding
      log('evicting %s %s (%d bytes) for %d bytes', h.kind, h.id, h.bytes, bytes)
      await this.c.holdings.evict(h)
    }
  }

  private candidate(h: Holding, playing: ReadonlySet<string>): EvictionCandidate {
    return {
      id: h.id,
      bytes: h.bytes,
      pinned: this.c.settings().item(h.id).pinned,
      own: h.own,
      playing: playing.has(h.id),
      earned7d: this.c.earned?.(h.id) ?? 0n,
      // Demand in 64 KiB blocks served: requests seen, until the ledger counts them.
      requests7d: Math.floor(h.served / 65_536),
      seeders: this.c.seeders?.(h.id) ?? 0,
      lastUsed: h.lastUsed,
    }
  }
}
