/**
 * The storage budget at work (DESIGN §4.7): before a download, a publish or a preview is
 * stored, {@link StorageBudget.ensureRoom} checks that its whole size fits within the budget
 * and, when it would not, evicts the items of least value (eviction.ts) until it does.
 *
 * - Never evicted on its own: pinned items and this node's own items, and items being played.
 * - When the room cannot be made without pinned or own items, it throws `StorageBudgetError`
 *   *before* evicting anything (a refused item costs the node nothing else), carrying the
 *   question to put to the user (`ask`: the pinned and own items that could go, never a
 *   playing one). The page asks; the chosen items go through {@link StorageBudget.evictChosen}
 *   (`seed.evict`) and the page retries: that retry evicts the unprotected items as usual.
 * - Checks run one at a time, and room handed out counts as used until its holder releases
 *   it (once the new item exists and counts itself), so two items starting together cannot
 *   both squeeze into the same free bytes.
 *
 * The budget is the settings' (bytes, or a share of the origin's quota): with an unknown
 * quota, a share is no limit at all (the browser's own quota check still applies).
 */
import { AbortedError, InvalidInputError } from '../../shared/errors/common.ts'
import { ItemInUseError, type RoomAsk, StorageBudgetError } from '../../shared/errors/seed.ts'
import { ItemNotFoundError } from '../../shared/errors/store.ts'
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

/** Most candidates one question lists (the least valuable first): a dialog, not a catalogue. */
export const MAX_ASK_CANDIDATES = 50
/** Most items one `evictChosen` call removes. */
export const MAX_EVICT_IDS = 256

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
    const byId = new Map(holdings.map((h) => [h.id, h]))
    if (plan.shortfall > 0) {
      const suggested = new Set(plan.needsAsking.map((c) => c.id))
      const ask: RoomAsk = {
        bytes,
        shortfall: plan.shortfall,
        candidates: plan.askable.slice(0, MAX_ASK_CANDIDATES).map((c) => {
          const h = byId.get(c.id) as Holding
          return {
            id: c.id,
            kind: h.kind,
            ...(h.name === undefined ? {} : { name: h.name }),
            bytes: c.bytes,
            pinned: c.pinned,
            own: c.own,
            suggested: suggested.has(c.id),
          }
        }),
      }
      throw new StorageBudgetError(
        'There is not enough room within your storage budget without removing pinned or published items. Raise the budget, or unpin or delete something.',
        {
          details: `needs ${needed} bytes more; evictable ${plan.freed}; would need ${plan.needsAsking.map((c) => c.id).join(', ')}`,
          data: { ask },
        },
      )
    }
    for (const c of plan.evict) {
      if (signal?.aborted) throw new AbortedError('Making room was cancelled.')
      const h = byId.get(c.id) as Holding
      log('evicting %s %s (%d bytes) for %d bytes', h.kind, h.id, h.bytes, bytes)
      await this.c.holdings.evict(h)
    }
  }

  /**
   * Removes items the user chose (their answer to a StorageBudgetError's `ask`, or a removal
   * from the node page), pinned and own ones included, and forgets their pins and prices.
   * Checks every id first and removes nothing when one is unknown (ItemNotFoundError) or
   * being played (ItemInUseError). Runs in turn with `ensureRoom`, so a retry that follows
   * sees the room made.
   * @example await budget.evictChosen(err.ask.candidates.filter((c) => c.suggested).map((c) => c.id))
   */
  evictChosen(ids: readonly string[]): Promise<{ evicted: string[]; freed: number }> {
    const run = this.queue.then(() => this.removeChosen(ids))
    this.queue = run.catch(() => {})
    return run
  }

  private async removeChosen(
    ids: readonly string[],
  ): Promise<{ evicted: string[]; freed: number }> {
    const unique = [...new Set(ids)]
    if (unique.length === 0 || unique.length > MAX_EVICT_IDS)
      throw new InvalidInputError(
        `ids: expected 1 to ${MAX_EVICT_IDS} item ids, got ${unique.length}.`,
      )
    const [holdings, playing] = await Promise.all([
      this.c.holdings.list(),
      this.c.holdings.playing(),
    ])
    const byId = new Map(holdings.map((h) => [h.id, h]))
    const chosen = unique.map((id) => {
      const h = byId.get(id)
      if (!h) throw new ItemNotFoundError('That item is no longer stored here.', { details: id })
      if (playing.has(id))
        throw new ItemInUseError(
          `${h.name ?? 'An item'} is being played; it cannot be removed now.`,
          { details: id },
        )
      return h
    })
    let freed = 0
    for (const h of chosen) {
      log('evicting %s %s (%d bytes) as the user chose', h.kind, h.id, h.bytes)
      await this.c.holdings.evict(h)
      await this.c.settings().forgetItem(h.id)
      freed += h.bytes
    }
    return { evicted: chosen.map((h) => h.id), freed }
  }

  private candidate(h: Holding, playing: ReadonlySet<string>): EvictionCandidate {
    const settings = this.c.settings()
    const pinned = settings.item(h.id).pinned
    return {
      id: h.id,
      bytes: h.bytes,
      pinned,
      own: h.own,
      playing: playing.has(h.id),
      earned7d: this.c.earned?.(h.id) ?? 0n,
      requests7d: h.requests,
      seeders: this.c.seeders?.(h.id) ?? 0,
      lastUsed: h.lastUsed,
      // Fetched to watch and not shared ("seed what I watch" off; settings.ts): goes first.
      watchOnly: h.kind === 'content' && !h.own && !pinned && !settings.get().seedWhatIWatch,
    }
  }
}
