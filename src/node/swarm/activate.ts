/**
 * Bringing an item into the swarm: its chunk store over the slice store, its torrent in the
 * webtorrent client, its piece picker, and what happens when metadata arrives (check it
 * against the item, remember the .torrent), when the download completes (mark the item
 * complete under its Merkle root) and when the torrent fails (drop it).
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type WebTorrent from 'webtorrent/dist/webtorrent.min.js'
import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import { SwarmItemNotFoundError, TorrentMismatchError } from '../../shared/errors/swarm.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { decryptSlice, type SliceCipher } from '../crypto/content.ts'
import { layout } from '../crypto/layout.ts'
import { merkleRoot } from '../crypto/merkle.ts'
import { logger } from '../log.ts'
import { attachPay, type PayPorts, type PaySwarm } from '../pay/extension.ts'
import type { ItemMeta } from '../store/meta.ts'
import type { SliceStore } from '../store/types.ts'
import { magnetOf } from '../torrent/magnet.ts'
import { gateMetadata } from '../torrent/metadata.ts'
import { type GuardableWire, guardWire } from '../torrent/wireGuard.ts'
import { sliceChunkStore } from './chunkStore.ts'
import { installPicker, type Picker } from './picker.ts'
import { putRecord, type RecordDb, type TorrentRecord } from './records.ts'

const log = logger('swarm')

/** An item the swarm runs: its record, its stored meta, its torrent and picker. */
export type Active = {
  rec: TorrentRecord
  item: ItemMeta
  torrent: Torrent
  picker: Picker
  /** `hc_pay` on the torrent's wires (src/node/pay/extension.ts). */
  pay: PaySwarm
  duration?: number
  announcedAt?: number
  waiters: Map<number, Set<() => void>>
}

/** What activating a torrent needs of the swarm service. */
export type ActivateContext = {
  client: WebTorrent
  store: () => Promise<SliceStore>
  records: () => Promise<RecordDb>
  /** The AEAD context of an item this node holds a key for, else null. */
  cipherFor: (itemId: string) => Promise<SliceCipher | null>
  emit: (event: NodeEvent) => void
  /** The card an item is sold under (access's card map), else null: no payments then. */
  cardOf?: ((itemId: string) => Promise<`0x${string}` | null>) | undefined
  /** The pay service's seller and buyer sides; absent: the swarm neither charges nor pays. */
  pay?: (() => PayPorts) | undefined
  /** The items the swarm runs, by item id: activation adds one, a failure removes it. */
  active: Map<string, Active>
  /** Downloads stopped for good (the quota is full), by item id, with why. */
  stopped: Map<string, Error>
  /** Dev test hook: whether served blocks are corrupted. */
  tamper: () => boolean
  announce: string[]
  deadlineMs: number
  tickMs: number
  readCache: { maxBytes: number; idleMs: number }
}

/**
 * Adds a stored item's torrent to the client and to `ctx.active`: from its .torrent when
 * known, else from its magnet (the metadata then comes from peers and is checked).
 */
export async function activateTorrent(ctx: ActivateContext, rec: TorrentRecord): Promise<void> {
  const store = await ctx.store()
  const item = await store.item(rec.itemId)
  if (!item) throw new SwarmItemNotFoundError(`No stored item ${rec.itemId}.`)
  const l = layout(item.size, item.sliceSize)
  // A fetched slice is authenticated before it is stored when this node holds the key.
  const cipher: SliceCipher | null = rec.origin === 'peer' ? await ctx.cipherFor(rec.itemId) : null
  const waiters = new Map<number, Set<() => void>>()
  const chunkStore = sliceChunkStore({
    // Not the turn-taking view: downloads write through their own writer (groupCommit.ts).
    store,
    itemId: rec.itemId,
    // A piece that passed SHA-1 is still authenticated before it is stored (and served).
    ...(cipher
      ? {
          verify: async (i: number, ct: Uint8Array) =>
            void (await decryptSlice(cipher, i, i === l.count - 1, ct)),
        }
      : {}),
    // Paid for once authentic, not after the group commit that makes it durable (tens of ms
    // later): with `credit` slices in flight a payer's next request waits on this cheque.
    onChecked: (i) => ctx.active.get(rec.itemId)?.pay.verified(i),
    onStored: (i) => {
      for (const fn of waiters.get(i) ?? []) fn()
      waiters.delete(i)
    },
    // Out of quota: every slice would fail the same way, so the download stops here rather
    // than fetching the same slices again and again (issue 20's drill).
    onQuotaExceeded: (i, err) => {
      const a = ctx.active.get(rec.itemId)
      if (!a || ctx.stopped.has(rec.itemId)) return
      log.warn('%s: slice %d: %s', rec.itemId, i, err.message)
      ctx.stopped.set(rec.itemId, err)
      failTorrent(ctx, a, err)
    },
    onPutFailed: (i, err) => {
      log.warn('%s: storing slice %d failed (%s); fetching it again', rec.itemId, i, err.message)
      const t = ctx.active.get(rec.itemId)?.torrent
      if (t && !t.destroyed && t.bitfield?.get(i)) {
        t._markUnverified(i)
        t._update()
      }
    },
    tamper: ctx.tamper,
    readCache: ctx.readCache,
  })
  const bitfield = await store.bitfield(rec.itemId)
  const cardId = (await ctx.cardOf?.(rec.itemId)) ?? null
  const torrent = ctx.client.add(
    rec.torrentFile ?? magnetOf(rec.infoHash, rec.name, ctx.announce),
    {
      store: chunkStore,
      announce: ctx.announce,
      strategy: 'rarest',
      bitfield,
      storeCacheSlots: 0, // the chunk store keeps what it read (readCache.ts)
      destroyStoreOnDestroy: false,
    },
  )
  // A peer's malformed message closes its wire only (wireGuard.ts).
  torrent.on('wire', (wire: Wire) =>
    guardWire(wire as unknown as GuardableWire, (err) =>
      log.warn('%s: dropped a wire: %s', rec.infoHash, err.message),
    ),
  )
  // Before any wire connects, so every wire gets `hc_pay` in its extended handshake.
  const pay = attachPayFor(ctx, rec, torrent, cardId)
  const picker = installPicker(torrent, {
    deadlineMs: ctx.deadlineMs,
    tickMs: ctx.tickMs,
    onBan: (peerId) => ctx.emit({ kind: 'swarm.banned', infoHash: rec.infoHash, peerId }),
    // Through `a`: a card learnt later replaces the torrent's `hc_pay` (cardLearnt).
    priceOf: (wire) => a.pay.priceOf(wire),
    mayAsk: (wire, index) => a.pay.mayAsk(wire, index),
    askable: (wire) => a.pay.askable(wire),
  })
  const a: Active = { rec, item, torrent, picker, pay, waiters }
  ctx.active.set(rec.itemId, a)
  // Metadata from peers is parsed strictly and fitted to the item before webtorrent sizes its
  // pieces from it; a torrent without metadata yet verifies nothing, so it goes at once.
  gateMetadata(
    torrent,
    (meta) => fitsItem(meta, item),
    (err) => failTorrent(ctx, a, err),
  )
  torrent.on('error', (err: Error) => log.error('%s: %s', rec.infoHash, err.message))
  torrent.on(
    'metadata',
    () => void checkMetadata(ctx, a).catch((err: Error) => failTorrent(ctx, a, err)),
  )
  torrent.on(
    'done',
    () =>
      void completeItem(ctx, a).catch((err: Error) =>
        log.warn('done %s: %s', rec.itemId, err.message),
      ),
  )
}

/** `hc_pay` on a torrent's wires for `cardId` (none when null: it neither charges nor pays). */
function attachPayFor(
  ctx: ActivateContext,
  rec: TorrentRecord,
  torrent: Torrent,
  cardId: `0x${string}` | null,
): PaySwarm {
  return attachPay(
    torrent,
    { infoHash: rec.infoHash, itemId: rec.itemId, cardId },
    ctx.pay?.() ?? {},
    { onBan: (peerId) => ctx.emit({ kind: 'swarm.banned', infoHash: rec.infoHash, peerId }) },
  )
}

/**
 * A torrent that started before its card was known (an item published here is posted after
 * it seeds) takes `hc_pay` for the card from its next wires on; wires already open stay free.
 */
export async function cardLearnt(ctx: ActivateContext, a: Active): Promise<void> {
  if (a.pay.cardId !== null) return
  const cardId = (await ctx.cardOf?.(a.rec.itemId)) ?? null
  if (cardId === null || a.pay.cardId !== null || a.torrent.destroyed) return
  a.pay.stop()
  a.pay = attachPayFor(ctx, a.rec, a.torrent, cardId)
}

/**
 * The metadata peers sent (webtorrent matched it to the infoHash) must also fit the item the
 * card describes: one piece per slice, the ciphertext's length. A fitting .torrent is kept so
 * a reopened tab resumes without asking peers again.
 */
async function checkMetadata(ctx: ActivateContext, a: Active): Promise<void> {
  fitsItem(a.torrent, a.item)
  if (!a.rec.torrentFile) {
    a.rec = { ...a.rec, torrentFile: a.torrent.torrentFile.slice() }
    await putRecord(await ctx.records(), a.rec)
  }
}

/** Throws TorrentMismatchError unless the torrent's pieces are the item's ciphertext slices. */
function fitsItem(t: { pieceLength: number; length: number }, item: ItemMeta): void {
  const l = layout(item.size, item.sliceSize)
  if (t.pieceLength !== item.sliceSize || t.length !== l.cipherSize)
    throw new TorrentMismatchError('The torrent does not match the item it was added for.', {
      details: `piece length ${t.pieceLength} / ${item.sliceSize}, length ${t.length} / ${l.cipherSize}`,
    })
}

/** A finished download marks the item complete under the Merkle root of its stored slices. */
async function completeItem(ctx: ActivateContext, a: Active): Promise<void> {
  const store = await ctx.store()
  const item = await store.item(a.rec.itemId)
  if (!item || item.state === 'complete') return
  const root = merkleRoot(await store.hashes(a.rec.itemId))
  if (item.contentRoot && bytesToHex(item.contentRoot) !== bytesToHex(root))
    log.error('%s: content root mismatch after download', a.rec.itemId)
  await store.setState(a.rec.itemId, 'complete', root)
}

/** Drops a torrent that cannot go on (its metadata did not fit), telling the page why. */
function failTorrent(ctx: ActivateContext, a: Active, err: Error): void {
  log.error('%s: %s', a.rec.infoHash, err.message)
  ctx.emit({ kind: 'log', level: 'error', message: err.message })
  a.picker.stop()
  a.pay.stop()
  ctx.active.delete(a.rec.itemId)
  // webtorrent verifies the stored pieces right after 'metadata', and its callbacks use the
  // client: destroying the torrent before it is ready throws in them. Wait for 'ready'.
  const t = a.torrent
  if (t.ready || !t.metadata) t.destroy()
  else t.once('ready', () => t.destroy())
}

/**
 * Destroys a torrent and waits until it is out of the client and its store closed. One whose
 * metadata arrived but which is not ready yet is verifying its stored pieces, and webtorrent's
 * callbacks there need the torrent alive (failTorrent): it is destroyed once ready.
 */
export function destroyTorrent(t: Active['torrent']): Promise<void> {
  return new Promise<void>((resolve) => {
    // The callback comes once the chunk store is closed too: no read of it is left running.
    const destroy = () => (t.destroyed ? resolve() : t.destroy({}, () => resolve()))
    if (t.destroyed || t.ready || t.pieces.length === 0) return destroy()
    t.once('ready', destroy)
    t.once('close', () => resolve()) // it failed on its own before it was ready
  })
}
