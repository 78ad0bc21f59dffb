/**
 * Page↔node RPC of the availability map (DESIGN §4.7; src/node/seed/availabilityService.ts),
 * declared in the table of src/shared/protocol/rpc.ts: each item's health, as the signed
 * summaries nodes gossip say it. Prices are decimal wei strings, as everywhere on the RPC.
 */

/** One item's health as this node sees it: its own holding and what other nodes announce. */
export type ItemHealthWire = {
  /** The item's infoHash: 0x and 40 lowercase hex digits, as cards carry it. */
  infoHash: string
  /** Nodes holding at least one slice of it, this one included. */
  seeders: number
  /** Of those, nodes holding every slice. */
  completeCopies: number
  /** The lowest price per slice among the seeders, decimal wei; null when none seeds it. */
  cheapestPrice: string | null
  /** Whether this node holds slices of it (and announces them). */
  local: boolean
  /** The newest announcement counted (ms since the epoch); 0 when none. */
  updatedAt: number
}

/** Most infoHashes one `seed.health` call may ask about (a feed page asks for ≤ 100). */
export const MAX_HEALTH_QUERY = 500

export type AvailabilityMethods = {
  /**
   * The health of each item named (0x-prefixed or bare hex, any case), in the order asked;
   * an item nobody announces has zero seeders. InvalidInputError for a malformed list.
   */
  'seed.health': { params: { infoHashes: string[] }; result: ItemHealthWire[] }
}
