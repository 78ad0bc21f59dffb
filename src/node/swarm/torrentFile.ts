/**
 * The torrent of an item's *ciphertext* (DESIGN §2 "Content root"): one file, piece length =
 * slice size S, so piece i is exactly ciphertext slice i. BitTorrent v1 pieces are SHA-1
 * (BEP 3); the content root stays the SHA-256 Merkle root (merkle.ts). The info dictionary
 * holds only `length`, `name`, `piece length` and `pieces`, so whoever has the ciphertext and
 * the name derives the same infoHash.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { throwIfAborted } from '../crypto/bytes.ts'
import { layout } from '../crypto/layout.ts'
import { sha1 } from '../crypto/sha1.ts'
import type { ItemMeta } from '../store/meta.ts'
import type { SliceStore } from '../store/types.ts'
import { bencode } from '../torrent/bencode.ts'
import { magnetOf } from '../torrent/magnet.ts'
import type { TorrentRecord } from './records.ts'

export type TorrentParams = {
  name: string
  /** Ciphertext bytes (the item's file). */
  cipherSize: number
  sliceSize: number
  /** SHA-1 of every ciphertext slice, 20·count bytes. */
  pieces: Uint8Array
  announce: string[]
}

export type BuiltTorrent = { torrentFile: Uint8Array; infoHash: string; magnet: string }

/**
 * Builds the .torrent bytes, infoHash (hex) and magnet link of an item.
 * @example const { infoHash } = await buildTorrent({ name, cipherSize, sliceSize, pieces, announce })
 */
export async function buildTorrent(p: TorrentParams): Promise<BuiltTorrent> {
  const count = Math.ceil(p.cipherSize / p.sliceSize)
  if (p.pieces.length !== 20 * count)
    throw new RangeError(`pieces: expected ${20 * count} bytes, got ${p.pieces.length}`)
  const info = { length: p.cipherSize, name: p.name, 'piece length': p.sliceSize, pieces: p.pieces }
  const infoHash = bytesToHex(await sha1(bencode(info)))
  const torrent = {
    info,
    ...(p.announce.length > 0
      ? { announce: p.announce[0] as string, 'announce-list': [p.announce] }
      : {}),
  }
  return { torrentFile: bencode(torrent), infoHash, magnet: magnetOf(infoHash, p.name, p.announce) }
}

/**
 * SHA-1 of every stored ciphertext slice of a complete item (each slice is read and SHA-256
 * checked by the store first).
 */
export async function hashPieces(
  store: SliceStore,
  id: string,
  options: { signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  const item = await store.item(id)
  if (!item) throw new RangeError(`id: no stored item ${id}`)
  const l = layout(item.size, item.sliceSize)
  const out = new Uint8Array(20 * l.count)
  for (let i = 0; i < l.count; i++) {
    throwIfAborted(options.signal, 'Hashing the pieces')
    out.set(await sha1(await store.getSlice(id, i, options)), 20 * i)
  }
  return out
}

/**
 * The swarm's record of a complete item published here: its torrent built from the stored
 * slices (the caller stores the record).
 * @example const rec = await ownRecord(store, item, announce); await putRecord(db, rec)
 */
export async function ownRecord(
  store: SliceStore,
  item: ItemMeta,
  announce: string[],
  options: { signal?: AbortSignal } = {},
): Promise<TorrentRecord> {
  const l = layout(item.size, item.sliceSize)
  const t = await buildTorrent({
    name: item.name ?? item.id,
    cipherSize: l.cipherSize,
    sliceSize: item.sliceSize,
    pieces: await hashPieces(store, item.id, options),
    announce,
  })
  return {
    itemId: item.id,
    infoHash: t.infoHash,
    origin: 'own',
    torrentFile: t.torrentFile,
    name: item.name,
    mime: item.mime,
    createdAt: Date.now(),
  }
}
