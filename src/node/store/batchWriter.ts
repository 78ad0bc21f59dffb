/**
 * The store's batch writer (the publish path, and downloads through groupCommit.ts): many
 * slices with one flush and one metadata transaction per commit, consecutive slices joined
 * into one backend write.
 */
import { checkBytes } from '../crypto/bytes.ts'
import { cipherRange, layout } from '../crypto/layout.ts'
import type { FileWriter } from './fileBackend.ts'
import { checkIndex, type WrittenSlice } from './marks.ts'
import type { ItemMeta } from './meta.ts'

/** Writes many slices with one flush and one metadata transaction per batch (the publish path). */
export interface BatchWriter {
  /**
   * Writes slice i (not yet durable, not yet marked). With `transfer`, the caller gives up
   * `ciphertext` and its whole buffer: it goes to the backend as it is (to the I/O worker
   * without a copy) instead of through the coalescing buffer.
   */
  write(
    i: number,
    ciphertext: Uint8Array,
    hash: Uint8Array,
    options?: { transfer?: boolean },
  ): Promise<void>
  /**
   * Flushes, then marks every slice written since the last commit as present and verified;
   * resolves once marked. Writes called meanwhile wait only for the flush, not the marking.
   */
  commit(): Promise<void>
  /** Drops uncommitted slices, waits for running commits, releases the file. */
  close(): Promise<void>
}

/** What a batch writer works on, given by the store that opened it. */
export type BatchWriterContext = {
  item: ItemMeta
  /** The item's file, open (and preallocated) for the writer's whole life. */
  file: FileWriter
  /** Consecutive slices up to this many bytes reach the backend as one write. */
  coalesceBytes: number
  /** Marks flushed slices present and verified (one metadata transaction). */
  mark: (done: WrittenSlice[]) => Promise<void>
  /** Called once on close, after the last marking: the store lets go of the file. */
  release: () => Promise<void>
}

/**
 * A batch writer over an item's open file.
 * @example const w = createBatchWriter({ item, file, coalesceBytes, mark, release })
 */
export function createBatchWriter(ctx: BatchWriterContext): BatchWriter {
  const { item, file: w, coalesceBytes: cap } = ctx
  const l = layout(item.size, item.sliceSize)
  let batch: WrittenSlice[] = []
  // Consecutive slices gather here and reach the backend as one write.
  let buf: Uint8Array | null = null
  let bufAt = 0
  let bufLen = 0
  // Each full buffer is handed over (transferred to an I/O worker, workerBackend.ts) and a
  // fresh one started, so the backend may keep writing it while the next one fills.
  const drain = async () => {
    const full = buf && bufLen > 0 ? buf.subarray(0, bufLen) : null
    buf = null
    bufLen = 0
    if (full) await w.write(full, bufAt, { transfer: true })
  }
  // Calls run one after another in call order, so a caller may start a commit and go on
  // writing: a commit's turn only sends its flush; later writes queue behind that flush
  // (the backend runs calls in order) and wait neither for it nor for the marking.
  let queue: Promise<unknown> = Promise.resolve()
  const inTurn = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn)
    queue = p.catch(() => {})
    return p
  }
  // Metadata transactions, in commit order; each marks only slices flushed before it began.
  let marking: Promise<void> = Promise.resolve()
  return {
    write: (i, ct, hash, options) =>
      inTurn(async () => {
        checkIndex(item, i)
        const range = cipherRange(l, i)
        checkBytes('ciphertext', ct, range.end - range.start)
        checkBytes('hash', hash, 32)
        const transfer = options?.transfer === true
        const bytes = ct.length // `ct` is detached once transferred
        if (
          !transfer &&
          buf &&
          bufLen > 0 &&
          range.start === bufAt + bufLen &&
          bufLen + ct.length <= cap
        ) {
          if (buf.length < bufLen + ct.length) {
            // A run of consecutive slices (a publish): from its second slice on, one buffer.
            const run = new Uint8Array(cap)
            run.set(buf.subarray(0, bufLen))
            buf = run
          }
          buf.set(ct, bufLen)
          bufLen += ct.length
        } else {
          await drain()
          if (transfer || ct.length * 2 > cap) await w.write(ct, range.start, { transfer })
          else {
            // A copy of this slice alone: downloads arrive out of order, and a buffer of
            // `cap` bytes per slice was 16× the allocation (and the transfer) for nothing.
            buf = ct.slice()
            bufAt = range.start
            bufLen = ct.length
          }
        }
        batch.push({ i, hash: hash.slice(), bytes })
      }),
    commit: async () => {
      const done = await inTurn(async () => {
        if (batch.length === 0) return null
        await drain()
        const flush = w.flush()
        flush.catch(() => {}) // awaited below, before any marking
        const flushed = batch
        batch = []
        return { flush, flushed }
      })
      // Marked only once their flush succeeded, in commit order.
      const m = done
        ? marking.then(async () => {
            await done.flush
            await ctx.mark(done.flushed)
          })
        : marking
      marking = m.catch(() => {})
      return m
    },
    close: async () => {
      await inTurn(async () => {
        // Uncommitted slices were never marked: dropping them keeps the store consistent.
        batch = []
        buf = null
        bufLen = 0
      })
      await marking
      await ctx.release()
    },
  }
}
