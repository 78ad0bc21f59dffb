/** Errors of the content swarm (src/node/swarm/). */
import { BaseError } from './base.ts'

/** No torrent/item known by that id or infoHash. */
export class SwarmItemNotFoundError extends BaseError {
  override name = 'SwarmItemNotFoundError' as const
}

/** Torrent metadata from a peer does not match what the item announced. */
export class TorrentMismatchError extends BaseError {
  override name = 'TorrentMismatchError' as const
}

/**
 * A .torrent file or a peer's info dictionary is not canonical bencode (BEP 3), or its fields
 * break BEP 3 (piece length, pieces, file lengths and paths); `details` names the problem.
 */
export class TorrentMetadataError extends BaseError {
  override name = 'TorrentMetadataError' as const
}

/**
 * A peer sent a BitTorrent message this node cannot read (bittorrent-protocol or an extension
 * threw on it) or one past the size limit: that peer's wire is closed, nothing else.
 */
export class WireProtocolError extends BaseError {
  override name = 'WireProtocolError' as const
}
