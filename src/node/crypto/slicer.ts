/**
 * Cutting input into slices without holding it in memory (DESIGN §4.1): a Blob is read one
 * slice at a time with `blob.slice().arrayBuffer()`; a ReadableStream is re-chunked with one
 * slice of look-ahead, so the final slice is known to be last before it is emitted (its `last`
 * flag goes into the nonce).
 */
import { AbortedError } from '../../shared/errors/common.ts'
import { throwIfAborted } from './bytes.ts'

/** One slice of input: its index, whether it is the final one, and its bytes. */
export type Slice = { index: number; last: boolean; bytes: Uint8Array<ArrayBuffer> }

/** The input of the publish pipeline. */
export type SliceSource = Blob | ReadableStream<Uint8Array>

/**
 * Slices of `size` bytes (the final one shorter, possibly empty: an empty input yields one
 * empty last slice).
 * @example for await (const s of slices(file, 262128, signal)) …
 */
export function slices(
  input: SliceSource,
  size: number,
  signal?: AbortSignal,
): AsyncGenerator<Slice> {
  if (size < 1) throw new RangeError(`size: expected ≥ 1, got ${size}`)
  return input instanceof Blob ? blobSlices(input, size, signal) : streamSlices(input, size, signal)
}

async function* blobSlices(blob: Blob, size: number, signal?: AbortSignal): AsyncGenerator<Slice> {
  const count = Math.max(1, Math.ceil(blob.size / size))
  for (let index = 0; index < count; index++) {
    throwIfAborted(signal, 'Reading the file')
    const start = index * size
    const buf = await blob.slice(start, Math.min(blob.size, start + size)).arrayBuffer()
    yield { index, last: index === count - 1, bytes: new Uint8Array(buf) }
  }
}

async function* streamSlices(
  stream: ReadableStream<Uint8Array>,
  size: number,
  signal?: AbortSignal,
): AsyncGenerator<Slice> {
  const reader = stream.getReader()
  const onAbort = () =>
    void reader.cancel(new AbortedError('Reading the stream was cancelled.')).catch(() => {})
  signal?.addEventListener('abort', onAbort, { once: true })
  let index = 0
  let cur = new Uint8Array(size)
  let fill = 0
  let pending: Uint8Array<ArrayBuffer> | null = null
  try {
    for (;;) {
      throwIfAborted(signal, 'Reading the stream')
      const { done, value } = await reader.read()
      throwIfAborted(signal, 'Reading the stream')
      if (done) break
      let off = 0
      while (off < value.length) {
        if (fill === size) {
          // A full slice and more bytes behind it: the pending one is not last.
          if (pending) yield { index: index++, last: false, bytes: pending }
          pending = cur
          cur = new Uint8Array(size)
          fill = 0
        }
        const n = Math.min(size - fill, value.length - off)
        cur.set(value.subarray(off, off + n), fill)
        fill += n
        off += n
      }
    }
    if (fill === 0 && pending) {
      yield { index, last: true, bytes: pending }
      return
    }
    if (pending) yield { index: index++, last: false, bytes: pending }
    yield { index, last: true, bytes: cur.slice(0, fill) }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    reader.releaseLock()
  }
}

/**
 * Maps `fn` over `source` with up to `concurrency` results in flight or waiting, yielding them
 * in source order. The source is pulled eagerly: a slot freed by the consumer is refilled at
 * once, even while the consumer is still busy with the result it took (writing it, committing),
 * so the stages overlap. Back-pressure: the source is not pulled while the window is full.
 * Ending the iteration early (break, throw) stops the pump and returns the source.
 */
export async function* mapOrdered<T, U>(
  source: AsyncIterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<U>,
): AsyncGenerator<U> {
  if (!(concurrency >= 1)) throw new RangeError(`concurrency: expected ≥ 1, got ${concurrency}`)
  const it = source[Symbol.asyncIterator]()
  const window: Promise<U>[] = []
  let sourceDone = false
  let stopped = false
  let failure = null as { err: unknown } | null
  let roomWaiter: (() => void) | null = null
  let itemWaiter: (() => void) | null = null
  const signalRoom = () => {
    roomWaiter?.()
    roomWaiter = null
  }
  const signalItem = () => {
    itemWaiter?.()
    itemWaiter = null
  }
  const pump = (async () => {
    try {
      while (!stopped) {
        if (window.length >= concurrency) {
          await new Promise<void>((r) => {
            roomWaiter = r
          })
          continue
        }
        const next = await it.next()
        if (next.done) {
          sourceDone = true
          return
        }
        if (stopped) return
        const p = fn(next.value)
        p.catch(() => {}) // observed when the consumer awaits it; avoid unhandled-rejection noise
        window.push(p)
        signalItem()
      }
    } catch (err) {
      sourceDone = true // a generator that threw is finished
      failure = { err }
    } finally {
      signalItem()
    }
  })()
  let pumpDone = false
  void pump.then(() => {
    pumpDone = true
    signalItem()
  })
  try {
    for (;;) {
      const head = window[0]
      if (!head) {
        if (failure) throw failure.err
        if (pumpDone) return
        await new Promise<void>((r) => {
          itemWaiter = r
        })
        continue
      }
      const value = await head
      // The slot frees once its result is ready, before the consumer starts on it.
      window.shift()
      signalRoom()
      yield value
    }
  } finally {
    stopped = true
    signalRoom()
    await pump
    if (!sourceDone) await it.return?.()
  }
}
