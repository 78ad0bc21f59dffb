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
