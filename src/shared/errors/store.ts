/** Errors of the slice store (DESIGN §2, §4.1; src/node/store/). */
import { BaseError } from './base.ts'

/** The content does not fit in the storage quota; nothing was written. */
export class QuotaExceededError extends BaseError {
  override name = 'QuotaExceededError' as const
}

/** A stored slice failed its hash check: it was marked missing so the swarm fetches it again. */
export class SliceCorruptError extends BaseError {
  override name = 'SliceCorruptError' as const
}

/** The slice is not (or no longer) in the store. */
export class SliceMissingError extends BaseError {
  override name = 'SliceMissingError' as const
}

/** No item with this id is in the store. */
export class ItemNotFoundError extends BaseError {
  override name = 'ItemNotFoundError' as const
}

/** Reading or writing the storage backend failed (OPFS or IndexedDB). */
export class StorageIoError extends BaseError {
  override name = 'StorageIoError' as const
}
