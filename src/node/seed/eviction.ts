/**
 * The eviction planner (DESIGN §4.7): when a download, publish or preview would pass the
 * storage budget, choose which items to delete — the least valuable first. Pure: it decides,
 * the store deletes (choking the item's wires and sending `have` updates first).
 *
 * ## The value of an item (per byte, so a large item is not kept just for being large)
 *
 *     value = W_EARN·earn + W_DEMAND·demand + W_RARITY·rarity + W_RECENCY·recency
 *
 * - `earn = (earned7d / bytes) / max over candidates of (earned7d / bytes)`: earnings per byte
 *   over the last 7 days, as a share of the best earner's. Normalising by the best candidate
 *   makes the term unit-free (wei per byte has no natural scale) and keeps it in [0, 1].
 * - `demand = (requests7d / bytes) / max over candidates of the same`: requests seen for the
 *   item's slices (served or not) per byte, relative to the most requested. Free content has
 *   no earnings, so demand is what keeps a popular free item over a dead one.
 * - `rarity = 1 / (1 + seeders)`, `seeders` being the other nodes known to hold it: 1 when this
 *   node is the only copy (deleting it may lose it from the network), ½ with one other, ….
 * - `recency = 2^(−(now − lastUsed) / RECENCY_HALF_LIFE)`: the user watched or opened it
 *   recently, so they may again (half-life 3 days).
 *
 * Weights {@link VALUE_WEIGHTS} (0.4, 0.3, 0.2, 0.1) sum to 1, so a value is in [0, 1]: money
 * first, then demand, then the network's need, then the user's own habits. Ties go to the
 * least recently used, then the larger item (frees more at once), then the id (determinism).
 *
 * Before any of that, items kept only for watching again (`watchOnly`: "seed what I watch" is
 * off, so they are not seeded — settings.ts) go first: they serve nobody but this user, who
 * chose not to share them.
 *
 * ## Protected items
 * Pinned and own (published) items are never evicted without asking: they are returned as
 * `needsAsking`, only when evicting every unprotected item is not enough. An item being played
 * is never evicted nor offered. When even asking could not make room, {@link planEviction}
 * throws `StorageBudgetError` and nothing should be deleted.
 */
import { InvalidInputError } from '../../shared/errors/common.ts'
import { StorageBudgetError } from '../../shared/errors/seed.ts'

/** What the planner knows of one stored item (content or preview). */
export type EvictionCandidate = {
  id: string
  /** Bytes it occupies (ciphertext slices held, or the preview's files). */
  bytes: number
  pinned: boolean
  /** Published by this node. */
  own: boolean
  /** Being played or read right now. */
  playing: boolean
  /** Wei earned from it over the last 7 days. */
  earned7d: bigint
  /** Slice requests seen for it over the last 7 days (served or not). */
  requests7d: number
  /** Other nodes known to hold it (from the availability map). */
  seeders: number
  /** When the user last used it (ms since the epoch); 0 if never. */
  lastUsed: number
  /** Kept only to watch again, not seeded ("seed what I watch" off): evicted before the rest. */
  watchOnly?: boolean | undefined
}

/** The weights of the value formula (see the module comment). */
export const VALUE_WEIGHTS = { earn: 0.4, demand: 0.3, rarity: 0.2, recency: 0.1 } as const
export type ValueWeights = { earn: number; demand: number; rarity: number; recency: number }

/** Half-life of the recency term: 3 days. */
export const RECENCY_HALF_LIFE_MS = 3 * 24 * 60 * 60 * 1000

export type ValueOptions = {
  /** Now, in ms since the epoch. */
  now: number
  weights?: ValueWeights
  halfLifeMs?: number
}

/** An item's value and its terms (each in [0, 1]), for the planner and the dashboard. */
export type ItemValue = {
  id: string
  value: number
  earn: number
  demand: number
  rarity: number
  recency: number
}

export type EvictionPlan = {
  /** Unprotected items to delete, least valuable first. */
  evict: EvictionCandidate[]
  /** Bytes `evict` frees. */
  freed: number
  /**
   * Bytes still missing after `evict` (0 when it is enough). When > 0, `needsAsking` lists the
   * pinned or own items (least valuable first) that would cover it if the user agrees; if the
   * user declines, delete nothing and fail.
   */
  shortfall: number
  needsAsking: EvictionCandidate[]
  /**
   * When `shortfall` > 0: every pinned or own item not being played, least valuable first
   * (`needsAsking` is its shortest prefix that covers the shortfall), so the user can choose
   * others than the suggested ones.
   */
  askable: EvictionCandidate[]
}

const isNonNegInt = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0

function checkCandidate(c: EvictionCandidate): void {
  const bad = (what: string): never => {
    throw new InvalidInputError(`Eviction candidate ${String(c.id)}: ${what}.`)
  }
  if (typeof c.id !== 'string' || c.id === '') bad('the id must be a non-empty string')
  if (!isNonNegInt(c.bytes)) bad(`bytes must be an integer ≥ 0, got ${c.bytes}`)
  if (typeof c.earned7d !== 'bigint' || c.earned7d < 0n) bad('earned7d must be a bigint ≥ 0')
  if (!isNonNegInt(c.requests7d)) bad('requests7d must be an integer ≥ 0')
  if (!isNonNegInt(c.seeders)) bad('seeders must be an integer ≥ 0')
  if (!Number.isFinite(c.lastUsed) || c.lastUsed < 0) bad('lastUsed must be a time ≥ 0')
}

/**
 * Values every item (see the module comment for the formula). The per-byte terms are relative
 * to the best of `items`, so value items together, not one at a time.
 * @example const [v] = valueItems([item], { now: Date.now() }) // v.value in [0, 1]
 */
export function valueItems(items: readonly EvictionCandidate[], opts: ValueOptions): ItemValue[] {
  const w = opts.weights ?? VALUE_WEIGHTS
  const halfLife = opts.halfLifeMs ?? RECENCY_HALF_LIFE_MS
  for (const c of items) checkCandidate(c)
  // Per byte; an empty item counts as one byte so it neither divides by zero nor wins.
  const earnOf = (c: EvictionCandidate): number => Number(c.earned7d) / Math.max(1, c.bytes)
  const demandOf = (c: EvictionCandidate): number => c.requests7d / Math.max(1, c.bytes)
  let maxEarn = 0
  let maxDemand = 0
  for (const c of items) {
    maxEarn = Math.max(maxEarn, earnOf(c))
    maxDemand = Math.max(maxDemand, demandOf(c))
  }
  return items.map((c) => {
    const earn = maxEarn > 0 ? earnOf(c) / maxEarn : 0
    const demand = maxDemand > 0 ? demandOf(c) / maxDemand : 0
    const rarity = 1 / (1 + c.seeders)
    // A lastUsed in the future (clock skew between tabs) counts as now.
    const age = Math.max(0, opts.now - c.lastUsed)
    const recency = c.lastUsed > 0 ? 2 ** (-age / halfLife) : 0
    const value = w.earn * earn + w.demand * demand + w.rarity * rarity + w.recency * recency
    return { id: c.id, value, earn, demand, rarity, recency }
  })
}

/**
 * Orders items from least to most valuable (the order eviction follows), with the tie-breaks
 * of the module comment.
 */
export function rankForEviction(
  items: readonly EvictionCandidate[],
  opts: ValueOptions,
): { item: EvictionCandidate; value: ItemValue }[] {
  const values = valueItems(items, opts)
  return items
    .map((item, i) => ({ item, value: values[i] as ItemValue }))
    .sort(
      (a, b) =>
        Number(b.item.watchOnly ?? false) - Number(a.item.watchOnly ?? false) ||
        a.value.value - b.value.value ||
        a.item.lastUsed - b.item.lastUsed ||
        b.item.bytes - a.item.bytes ||
        (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0),
    )
}

/**
 * Plans how to free `needed` bytes: unprotected items by increasing value until enough is
 * freed; if that is not enough, the pinned/own items (never playing ones) to ask about.
 * Throws `StorageBudgetError` when even those could not make room, with the numbers.
 * @example
 * const plan = planEviction(items, { needed: used + incoming - budget, now: Date.now() })
 * if (plan.shortfall > 0 && !(await ask(plan.needsAsking))) throw new StorageBudgetError(...)
 */
export function planEviction(
  items: readonly EvictionCandidate[],
  opts: ValueOptions & { needed: number },
): EvictionPlan {
  if (!Number.isFinite(opts.needed))
    throw new InvalidInputError(`needed must be a finite number of bytes, got ${opts.needed}`)
  const ids = new Set<string>()
  for (const c of items) {
    if (ids.has(c.id)) throw new InvalidInputError(`Eviction candidate ${c.id} appears twice.`)
    ids.add(c.id)
  }
  const ranked = rankForEviction(items, opts)
  const evict: EvictionCandidate[] = []
  let freed = 0
  if (opts.needed <= 0) {
    // Still validates the candidates (rankForEviction did) so bad input is never silent.
    return { evict, freed, shortfall: 0, needsAsking: [], askable: [] }
  }
  for (const { item } of ranked) {
    if (freed >= opts.needed) break
    if (item.pinned || item.own || item.playing) continue
    evict.push(item)
    freed += item.bytes
  }
  const shortfall = Math.max(0, opts.needed - freed)
  if (shortfall === 0) return { evict, freed, shortfall, needsAsking: [], askable: [] }
  const askable = ranked.map((r) => r.item).filter((c) => (c.pinned || c.own) && !c.playing)
  const needsAsking: EvictionCandidate[] = []
  let asked = 0
  for (const item of askable) {
    if (asked >= shortfall) break
    needsAsking.push(item)
    asked += item.bytes
  }
  if (asked < shortfall) {
    const playing = items.filter((c) => c.playing).reduce((s, c) => s + c.bytes, 0)
    throw new StorageBudgetError(
      'There is not enough room within your storage budget, even after removing everything that can be removed.',
      {
        details: `needs ${opts.needed} bytes; evictable ${freed}, pinned or own ${asked}, playing ${playing}`,
      },
    )
  }
  return { evict, freed, shortfall, needsAsking, askable }
}
