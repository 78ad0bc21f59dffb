/**
 * What the personal node holds (DESIGN §4.7): every content item of the slice store and every
 * preview, each with the bytes it counts against the storage budget and what the eviction
 * planner weighs — whether it is this node's own, when it was last used, how much peers
 * asked of it — and how to evict it.
 *
 * A content item counts its whole ciphertext from the moment it exists: its file is
 * preallocated (store/sliceStore.ts `writer`) and a download goes on to the end, so counting
 * only the slices held would let several starts overrun the budget together.
 *
 * Eviction order, so a crash at any point leaves nothing half-deleted: the torrent leaves the
 * swarm (peers see their wire end; none reads a slice being deleted), then the store deletes
 * the item (metadata in one transaction, then the file), then the swarm's record goes. A crash
 * before the last step leaves a record without an item, which the swarm skips on resume.
 */
import { layout } from '../crypto/layout.ts'
import { countBits, getBit } from '../store/bitfield.ts'
import type { SliceStore } from '../store/types.ts'
import { allRecords, deleteRecord, type RecordDb } from '../swarm/records.ts'

/** One stored thing: a content item (by item id) or a preview (by infoHash). */
export type Holding = {
  id: string
  kind: 'content' | 'preview'
  name?: string | undefined
  /** Bytes it counts against the budget. */
  bytes: number
  /** Bytes of it held now. */
  held: number
  /** Published or made here: never evicted without asking. */
  own: boolean
  /** When it was last used (ms since the epoch), at least when it arrived. */
  lastUsed: number
  /** Bytes served to peers this session. */
  served: number
  /**
   * Block requests peers made for it this session (served or not): its demand. Counted in
   * memory, so a reload starts from 0 (honest limit: not yet the 7 days DESIGN §4.7 names).
   */
  requests: number
  /** Offered to peers now: in the swarm (a content item "seed what I watch" parked is not). */
  seeding: boolean
}

/** What holdings need of the swarm (SwarmService). */
export type HoldingsSwarm = {
  uses: { lastUsed(itemId: string): number; playing(): Set<string> }
  uploaded(itemId: string): number
  /** Block requests seen from peers for the item this session. */
  requests(itemId: string): number
  /** Whether the item is in the swarm (offered to peers) now. */
  seeding(itemId: string): boolean
  remove(itemId: string): Promise<void>
}

/** What holdings need of the preview service (PreviewService). */
export type HoldingsPreviews = {
  list(): Promise<
    { infoHash: string; origin: 'own' | 'peer'; state: string; length?: number | undefined }[]
  >
  remove(infoHash: string): Promise<void>
}

export type HoldingsPorts = {
  store: () => Promise<SliceStore>
  records: () => Promise<RecordDb>
  swarm: () => Promise<HoldingsSwarm>
  /** Absent: previews are not counted (tests of content alone). */
  previews?: () => Promise<HoldingsPreviews>
  /** A fetched preview's size before its metadata: the most a preview may be. */
  previewMaxBytes: number
}

/** The holdings as the seed service sees them. */
export type Holdings = {
  list(): Promise<Holding[]>
  /** Item ids being played now: never evicted. */
  playing(): Promise<ReadonlySet<string>>
  /**
   * Evicts one holding (see the module comment for the order): once it resolves the holding
   * is gone and counts no more; the store deletes its file behind it ({@link Holdings.settled}).
   */
  evict(h: Holding): Promise<void>
  /** Resolves once the files of the holdings evicted so far are deleted. */
  settled(): Promise<void>
}

/** Ciphertext bytes of the slices present in `bitfield` (every slice is S but the last). */
export function heldBytes(l: ReturnType<typeof layout>, bitfield: Uint8Array): number {
  const present = countBits(bitfield, l.count)
  const last = l.cipherSize - (l.count - 1) * l.sliceSize
  return present * l.sliceSize - (getBit(bitfield, l.count - 1) ? l.sliceSize - last : 0)
}

async function contentHoldings(p: HoldingsPorts): Promise<Holding[]> {
  const [store, swarm, records] = await Promise.all([p.store(), p.swarm(), p.records()])
  const recs = new Map((await allRecords(records)).map((r) => [r.itemId, r]))
  const out: Holding[] = []
  for (const item of await store.items()) {
    const rec = recs.get(item.id)
    const l = layout(item.size, item.sliceSize)
    out.push({
      id: item.id,
      kind: 'content',
      name: item.name ?? rec?.name,
      bytes: l.cipherSize,
      held: heldBytes(l, await store.bitfield(item.id)),
      // Only what the swarm fetched from peers is theirs; a publish in progress has no record.
      own: rec?.origin !== 'peer',
      lastUsed: Math.max(swarm.uses.lastUsed(item.id), rec?.createdAt ?? item.createdAt),
      served: swarm.uploaded(item.id),
      requests: swarm.requests(item.id),
      seeding: swarm.seeding(item.id),
    })
  }
  return out
}

async function previewHoldings(p: HoldingsPorts): Promise<Holding[]> {
  if (!p.previews) return []
  const previews = await p.previews()
  return (await previews.list())
    .filter((r) => r.state !== 'refused') // a refusal keeps its record only, no pieces
    .map((r) => {
      const bytes = r.length ?? p.previewMaxBytes
      return {
        id: r.infoHash,
        kind: 'preview' as const,
        bytes,
        held: r.state === 'complete' ? bytes : 0,
        own: r.origin === 'own',
        lastUsed: 0,
        served: 0,
        requests: 0,
        // The preview service keeps every preview it holds in the swarm.
        seeding: true,
      }
    })
}

/**
 * The node's holdings over its store, the swarm's records and uses, and the previews.
 * @example const holdings = nodeHoldings({ store, records, swarm, previews, previewMaxBytes })
 */
export function nodeHoldings(p: HoldingsPorts): Holdings {
  return {
    list: async () => [...(await contentHoldings(p)), ...(await previewHoldings(p))],
    playing: async () => (await p.swarm()).uses.playing(),
    async evict(h) {
      if (h.kind === 'preview') {
        await (await p.previews?.())?.remove(h.id)
        return
      }
      await (await p.swarm()).remove(h.id)
      await (await p.store()).remove(h.id)
      await deleteRecord(await p.records(), h.id)
    },
    settled: async () => (await p.store()).removals(),
  }
}
