/**
 * Storage quota (DESIGN §4.7): `navigator.storage.estimate()` before any work, `persist()` on
 * request. A publish that would not fit is refused up front, so nothing is half-written. When
 * the browser still runs out (the quota shrank, the estimate was generous), its own error — a
 * DOMException named `QuotaExceededError`, from an OPFS write or an IndexedDB transaction — is
 * turned into ours by {@link quotaError}, so the page gets a typed error, not the browser's text.
 */
import { QuotaExceededError } from '../../shared/errors/store.ts'

export type StorageEstimateFn = () => Promise<{ usage: number; quota: number }>

/**
 * Room reserved within the storage budget for an item about to be created; released once the
 * item exists (it then counts as stored) or was not created after all.
 */
export type Room = { release(): void }

/**
 * Makes room for `bytes` more within the personal node's storage budget, evicting the least
 * valuable items if it must (src/node/seed/budget.ts), or throws StorageBudgetError having
 * evicted nothing. Called once per item, with its whole size, when it starts: never per slice.
 */
export type EnsureRoom = (bytes: number, options?: { signal?: AbortSignal }) => Promise<Room>

/** Headroom kept free: metadata and other apps' data need some room too. */
export const QUOTA_MARGIN_BYTES = 16 * 1024 * 1024

/** `navigator.storage.estimate()` with numbers guaranteed. */
export async function browserEstimate(): Promise<{ usage: number; quota: number }> {
  const e = await navigator.storage.estimate()
  return { usage: e.usage ?? 0, quota: e.quota ?? 0 }
}

/** Asks the browser to keep this origin's storage under pressure; true when granted. */
export async function persistStorage(): Promise<{ persisted: boolean }> {
  if (await navigator.storage.persisted()) return { persisted: true }
  return { persisted: await navigator.storage.persist() }
}

/** Throws {@link QuotaExceededError} unless `bytes` more fit in the quota (with a margin). */
export async function ensureRoom(estimate: StorageEstimateFn, bytes: number): Promise<void> {
  const { usage, quota } = await estimate()
  const free = quota - usage - QUOTA_MARGIN_BYTES
  if (bytes > free)
    throw new QuotaExceededError('There is not enough storage space for this file.', {
      details: `needs ${bytes} bytes, ${Math.max(0, free)} available (quota ${quota}, used ${usage})`,
    })
}

/** Whether `err` says the origin is out of storage: the browser's DOMException, or ours. */
export function isQuotaError(err: unknown): boolean {
  return (
    err instanceof QuotaExceededError ||
    (typeof err === 'object' && err !== null && (err as Error).name === 'QuotaExceededError')
  )
}

/**
 * Our {@link QuotaExceededError} for a quota failure of the browser's while `what` ran (the
 * browser's message goes into `details`); `err` itself when it already is one.
 * @example if (isQuotaError(err)) throw quotaError(err, 'Storing the download')
 */
export function quotaError(err: unknown, what: string): QuotaExceededError {
  if (err instanceof QuotaExceededError) return err
  return new QuotaExceededError(`${what} ran out of storage space: the browser's quota is full.`, {
    details: err instanceof Error ? err.message : String(err),
    cause: err,
  })
}
