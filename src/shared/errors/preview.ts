/** Why a preview torrent was refused or not found (src/node/previews/service.ts). */
import { BaseError } from './base.ts'

/** A preview torrent's files add up to more than the limit (src/node/previews/format.ts). */
export class PreviewTooLargeError extends BaseError {
  override name = 'PreviewTooLargeError' as const
}

/** A preview torrent is not what a card may name: a file it may not hold, or no files. */
export class PreviewMismatchError extends BaseError {
  override name = 'PreviewMismatchError' as const
}

/** No peer delivered the preview in time, or this node knows no such preview. */
export class PreviewUnavailableError extends BaseError {
  override name = 'PreviewUnavailableError' as const
}
