/** Errors of the personal node: settings, budgets and eviction, availability (DESIGN §4.7). */
import { BaseError } from './base.ts'

/**
 * A settings value (from the page or from storage) is out of range or of the wrong shape.
 * `details` names the field and what was expected.
 * @example new SeedSettingsError('The upload cap must be at least 16 KiB/s.', { details: 'uploadBytesPerSec: got 10' })
 */
export class SeedSettingsError extends BaseError {
  override name = 'SeedSettingsError' as const
}

/** A pinned or own item the user could agree to remove to make room (see {@link RoomAsk}). */
export type RoomCandidate = {
  id: string
  kind: 'content' | 'preview'
  name?: string | undefined
  /** Bytes removing it frees. */
  bytes: number
  pinned: boolean
  /** Published (or made) on this node. */
  own: boolean
  /** The planner's suggestion: together the suggested ones cover the shortfall. */
  suggested: boolean
}

/**
 * What the node would need the user's word for: `bytes` more are wanted, everything that may
 * be evicted without asking falls `shortfall` bytes short, and removing some of `candidates`
 * (least valuable first; never an item being played) would cover it.
 */
export type RoomAsk = { bytes: number; shortfall: number; candidates: RoomCandidate[] }

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0

function roomCandidateOf(v: unknown): RoomCandidate | null {
  if (typeof v !== 'object' || v === null) return null
  const c = v as Record<string, unknown>
  if (typeof c.id !== 'string' || (c.kind !== 'content' && c.kind !== 'preview')) return null
  if (!isCount(c.bytes) || typeof c.pinned !== 'boolean' || typeof c.own !== 'boolean') return null
  return {
    id: c.id,
    kind: c.kind,
    name: typeof c.name === 'string' ? c.name : undefined,
    bytes: c.bytes,
    pinned: c.pinned,
    own: c.own,
    suggested: c.suggested === true,
  }
}

/**
 * The storage budget cannot make room for an item; nothing was evicted. When removing pinned
 * or own items (which the node never does without asking) would make room, {@link ask} says
 * which: the page asks the user, `seed.evict` removes the chosen ones, and the call is retried.
 * When even that could not (the item is larger than the budget, or what is left is playing),
 * `ask` is null.
 */
export class StorageBudgetError extends BaseError {
  override name = 'StorageBudgetError' as const

  /** The question to put to the user, checked (it may have crossed `postMessage`); or null. */
  get ask(): RoomAsk | null {
    const a = this.data?.ask
    if (typeof a !== 'object' || a === null) return null
    const o = a as Record<string, unknown>
    if (!isCount(o.bytes) || !isCount(o.shortfall) || !Array.isArray(o.candidates)) return null
    const candidates = o.candidates.map(roomCandidateOf)
    if (candidates.length === 0 || candidates.some((c) => c === null)) return null
    return { bytes: o.bytes, shortfall: o.shortfall, candidates: candidates as RoomCandidate[] }
  }
}

/** An item being played (or read) right now cannot be removed. */
export class ItemInUseError extends BaseError {
  override name = 'ItemInUseError' as const
}

/** An availability summary did not parse: wrong version, size, order or non-canonical field. */
export class AvailabilityCodecError extends BaseError {
  override name = 'AvailabilityCodecError' as const
}
