/**
 * Downloaded slices reach the store through one batch writer per item with group commits.
 * `putSlice` opens the file, writes, flushes, closes it and runs an IndexedDB transaction for
 * every slice, one slice at a time: measured in the stream benchmark, puts queued up behind
 * each other for hundreds of milliseconds while the pieces had long arrived, and time to first
 * frame waited on them. Here the file stays open while pieces arrive, each is written at once,
 * and one commit (flush + one metadata transaction) marks every slice written since the last;
 * a put resolves when the commit that covers it has.
 *
 * While the writer is open the store reads that item through the same handle, so readers
 * (peers, the Service Worker path) never see the file mid-change and need no turns. It is
 * opened before an unfinished item's first piece (`open`), when nothing reads it through a
 * `getFile()` snapshot yet, and kept until the torrent closes (the store closes it itself when
 * the item completes).
 */
import { sliceHash } from '../crypto/content.ts'
import type { BatchWriter } from '../store/batchWriter.ts'
import type { SliceStore } from '../store/types.ts'

type Waiter = { resolve(): void; reject(err: Error): void }

export interface GroupWriter {
  /** Opens the item's writer now rather than at the first put. */
  open(): Promise<void>
  /** Writes slice i and resolves once it is flushed and marked stored. */
  put(i: number, ciphertext: Uint8Array): Promise<void>
  /** Waits for running commits and releases the file. */
  close(): Promise<void>
}

export function groupWriter(store: SliceStore, itemId: string): GroupWriter {
  let writer: Promise<BatchWriter> | null = null
  let written: Waiter[] = []
  let committing: Promise<void> | null = null

  const open = async (): Promise<BatchWriter> => {
    writer ??= store.writer(itemId)
    const w = writer
    return w.catch((err: Error) => {
      forget(w)
      throw err
    })
  }
  // A writer that failed (or that the store closed when the item completed) is not reused:
  // the next put opens a new one.
  const forget = (w: Promise<BatchWriter> | null) => {
    if (writer === w) writer = null
  }

  // One commit at a time; puts written meanwhile go into the next one.
  const commitLoop = async (w: BatchWriter, current: Promise<BatchWriter> | null) => {
    while (written.length > 0) {
      const batch = written
      written = []
      try {
        await w.commit()
        for (const x of batch) x.resolve()
      } catch (err) {
        forget(current)
        for (const x of batch) x.reject(err as Error)
      }
    }
    committing = null
  }

  return {
    async open() {
      await open()
    },
    async put(i, ciphertext) {
      const hash = await sliceHash(ciphertext)
      const w = await open()
      const current = writer
      try {
        await w.write(i, ciphertext, hash)
      } catch (err) {
        forget(current)
        throw err
      }
      const done = new Promise<void>((resolve, reject) => written.push({ resolve, reject }))
      committing ??= commitLoop(w, current)
      await done
    },
    async close() {
      await committing
      const w = writer
      writer = null
      await (await w?.catch(() => null))?.close()
    },
  }
}
