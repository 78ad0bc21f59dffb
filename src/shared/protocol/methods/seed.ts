/**
 * Page↔node RPC methods of the personal node (src/node/seed/, DESIGN §4.7), declared in the
 * table of src/shared/protocol/rpc.ts. Prices are decimal wei strings (bigint-safe over
 * structured clone and JSON alike, as pay's amounts); sizes and rates are bytes.
 */

/** The storage budget: a fixed number of bytes, or a share (0.01–1) of the origin's quota. */
export type SeedBudgetWire = { kind: 'bytes'; bytes: number } | { kind: 'share'; share: number }

/** The node-wide settings, as they cross the page↔worker boundary. */
export type SeedSettingsWire = {
  /** Previews included. */
  storageBudget: SeedBudgetWire
  /** One cap for all peers together, bytes per second; null = none. */
  uploadBytesPerSec: number | null
  /** Optional download cap, bytes per second; null = none. */
  downloadBytesPerSec: number | null
  /**
   * Keep seeding what this node fetched to watch, after playback (within the budget); off: a
   * fetched item is offered to peers only while it plays (src/node/seed/settings.ts).
   */
  seedWhatIWatch: boolean
  /** Wei per slice for items without their own price, decimal. */
  defaultPricePerSlice: string
  /**
   * Privacy mode (relay only): peers never see this node's addresses; every WebRTC transfer
   * goes through the relay's TURN server, and libp2p only through the relay (slower). Turning
   * it on fails with SeedSettingsError when the relay offers no TURN server.
   */
  privacyMode: boolean
}

/** One item's own settings; `pricePerSlice` null means "the default price". */
export type SeedItemWire = {
  id: string
  pinned: boolean
  pricePerSlice: string | null
  /** What the item actually charges: its own price, else the default. */
  effectivePricePerSlice: string
}

/** One stored thing counted against the budget: a content item or a preview. */
export type SeedUsageItem = SeedItemWire & {
  kind: 'content' | 'preview'
  name?: string | undefined
  /** Bytes it counts against the budget (a content item's whole ciphertext once started). */
  bytes: number
  /** Bytes of it held now (verified slices; a preview's stored length). */
  held: number
  /** Published (or made) on this node: never evicted without asking. */
  own: boolean
  /** Being played or read now: never evicted. */
  playing: boolean
  /** Offered to peers now (false: kept to watch again, "seed what I watch" being off). */
  seeding: boolean
  /** Block requests peers made for it this session (served or not). */
  demand: number
  /** Wei earned from it over the last 7 days, decimal; null where the node cannot say. */
  earned: string | null
  /** Other nodes known to hold it (the availability map); null where the node cannot say. */
  seeders: number | null
}

export type SeedUsage = {
  items: SeedUsageItem[]
  /** Bytes counted against the budget, previews included. */
  used: number
  /** The budget in bytes; null while the origin's quota is unknown and the budget a share. */
  budget: number | null
  /** `navigator.storage.estimate()`: the origin's quota and usage, null where unavailable. */
  quota: number | null
  originUsage: number | null
  /** Whether the origin's storage is persistent; null where the browser cannot say. */
  persisted: boolean | null
}

export type SeedMethods = {
  /** The node-wide settings. */
  'seed.settings': { params: undefined; result: SeedSettingsWire }
  /** Applies a partial update (SeedSettingsError naming a bad field); returns the result. */
  'seed.setSettings': { params: Partial<SeedSettingsWire>; result: SeedSettingsWire }
  /** Pins or prices one item (`pricePerSlice: null` goes back to the default). */
  'seed.setItem': {
    params: { itemId: string; pinned?: boolean | undefined; pricePerSlice?: string | null }
    result: SeedItemWire
  }
  /** Storage used per item against the budget and the origin's quota. */
  'seed.usage': { params: undefined; result: SeedUsage }
  /**
   * Removes stored items the user chose, pinned and own ones included: the answer to a
   * StorageBudgetError's `ask`, after which the refused call is retried. Checks all first and
   * removes none when one is unknown (ItemNotFoundError) or playing (ItemInUseError).
   */
  'seed.evict': { params: { ids: string[] }; result: { evicted: string[]; freed: number } }
  /** Asks the browser for persistent storage (`navigator.storage.persist()`). */
  'seed.persist': { params: undefined; result: { persisted: boolean; supported: boolean } }
  /**
   * Bench hook, development chains only (RangeError elsewhere): asks the storage budget for
   * `ensureRoom` bytes as a download would, releases the room at once, and returns how long
   * making it took in the node (ms, eviction included), how long until the evicted items'
   * files were deleted too (`filesMs`, from the same start), and the ids it evicted.
   */
  'seed.debug': {
    params: { ensureRoom: number }
    result: { ms: number; filesMs: number; evicted: string[] }
  }
}
