/**
 * What the swarm reports about an item: its card-shaped description (for `swarm.seed` and
 * `swarm.add` replies) and its live state — the slice map, peers and rates.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import type { SwarmStats, SwarmTorrentInfo } from '../../shared/protocol/methods/swarm.ts'
import type { PaySwarm } from '../pay/extension.ts'
import { countBits } from '../store/bitfield.ts'
import type { ItemMeta } from '../store/meta.ts'
import { magnetOf } from '../torrent/magnet.ts'
import type { Picker } from './picker.ts'
import type { TorrentRecord } from './records.ts'

/** An item as a card's `content` describes it, with its infoHash and magnet. */
export function torrentInfo(
  rec: TorrentRecord,
  item: ItemMeta,
  announce: string[],
): SwarmTorrentInfo {
  return {
    itemId: rec.itemId,
    infoHash: rec.infoHash,
    magnet: magnetOf(rec.infoHash, rec.name, announce),
    content: {
      infoHash: rec.infoHash,
      contentRoot: item.contentRoot ? bytesToHex(item.contentRoot) : undefined,
      name: item.name,
      mime: item.mime,
      size: item.size,
      sliceSize: item.sliceSize,
      contentSalt: bytesToHex(item.contentSalt),
    },
  }
}

/** The live state of one item in the swarm; `have` is the store's verified bitfield. */
export function torrentStats(
  have: Uint8Array,
  a: {
    rec: TorrentRecord
    item: ItemMeta
    torrent: Torrent
    picker: Picker
    pay: Pick<PaySwarm, 'banned' | 'bytes'>
  },
): SwarmStats {
  const t = a.torrent
  return {
    itemId: a.rec.itemId,
    infoHash: a.rec.infoHash,
    name: a.item.name,
    mime: a.item.mime,
    size: a.item.size,
    count: a.item.count,
    have,
    present: countBits(have, a.item.count),
    inflight: [...a.picker.inflight()],
    peers: t.wires.map((w) => ({
      peerId: w.peerId,
      downloadSpeed: w.downloadSpeed(),
      uploadSpeed: w.uploadSpeed(),
      downloaded: w.downloaded,
      uploaded: w.uploaded,
      requests: w.requests.length,
      peerRequests: w.peerRequests.length,
    })),
    // Bad data (the picker) and payment faults (hc_pay) alike.
    banned: [...new Set([...a.picker.banned(), ...a.pay.banned()])],
    payBytes: a.pay.bytes(),
    downloadSpeed: t.downloadSpeed,
    uploadSpeed: t.uploadSpeed,
    downloaded: t.downloaded,
    received: t.received,
    uploaded: t.uploaded,
    reissued: a.picker.reissued(),
    done: t.done,
  }
}
