import { BaseError, registerErrors } from '../../shared/errors.ts'

/** No torrent/item known by that id or infoHash. */
export class SwarmItemNotFoundError extends BaseError {
  override name = 'SwarmItemNotFoundError' as const
}

/** The item is known but this node holds no content key for it. */
export class NoContentKeyError extends BaseError {
  override name = 'NoContentKeyError' as const
}

/** Torrent metadata from a peer does not match what the item announced. */
export class TorrentMismatchError extends BaseError {
  override name = 'TorrentMismatchError' as const
}

registerErrors({ SwarmItemNotFoundError, NoContentKeyError, TorrentMismatchError })
