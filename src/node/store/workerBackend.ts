/**
 * A {@link FileBackend} whose files live in another worker (ioServer.ts, opfsIo.worker.ts).
 * OPFS sync-handle writes and flushes block the thread that makes them; measured in
 * bench/crypto.ts, a publish whose node worker made them itself ran its stages one after
 * another. Here a write hands its bytes over and returns: the I/O worker writes while the node
 * worker goes on dispatching WebCrypto calls.
 *
 * Writes are queued, not awaited: a failed one makes the writer's next call reject (the
 * flush before any slice is marked, in particular), and at most `highWaterBytes` of written
 * bytes wait in the queue, so memory stays bounded.
 */
import { StorageIoError } from '../../shared/errors/store.ts'
import type { IoCall, IoConnect, IoPort, IoReply } from '../../shared/protocol/io.ts'
import type { FileBackend, FileWriter } from './fileBackend.ts'

/** Bytes written but not yet confirmed by the I/O worker before `write` waits (default). */
export const DEFAULT_HIGH_WATER_BYTES = 16 * 1024 * 1024

type Waiter = { resolve: (v: unknown) => void; reject: (e: unknown) => void }

export class WorkerFileBackend implements FileBackend {
  private readonly waiting = new Map<number, Waiter>()
  private nextId = 1
  /** Set once the I/O worker is gone: every call then rejects with it. */
  private broken: Error | null = null

  /**
   * @param port the I/O worker's end is served by `serveFileBackend`
   * @example const files = new WorkerFileBackend(channel.port1)
   */
  constructor(
    private readonly port: IoPort,
    private readonly highWaterBytes = DEFAULT_HIGH_WATER_BYTES,
  ) {
    port.onmessage = (e: MessageEvent) => {
      const reply = e.data as IoReply
      const w = this.waiting.get(reply.id)
      if (!w) return
      this.waiting.delete(reply.id)
      if (reply.ok) w.resolve(reply.value)
      else w.reject(reply.error)
    }
  }

  /**
   * Serves OPFS directory `dir` from the I/O worker `io` (one worker may serve many).
   * @example const files = WorkerFileBackend.connect(startOpfsIo(), OPFS_DIR)
   */
  static connect(io: { postMessage(m: unknown, t: Transferable[]): void }, dir: string) {
    const { port1, port2 } = new MessageChannel()
    io.postMessage({ type: 'connect', dir, port: port2 } satisfies IoConnect, [port2])
    return new WorkerFileBackend(port1)
  }

  /**
   * The I/O worker failed (it did not load, or it crashed): calls waiting for it and every later
   * call reject with a {@link StorageIoError} instead of waiting forever. Nothing waiting was
   * flushed, so nothing waiting was marked verified.
   */
  fail(reason: string): void {
    this.broken ??= new StorageIoError('The storage worker stopped; reload the app.', {
      details: reason,
    })
    for (const w of this.waiting.values()) w.reject(this.broken)
    this.waiting.clear()
  }

  private call<T>(call: IoCall, transfer: Transferable[] = []): Promise<T> {
    if (this.broken) return Promise.reject(this.broken)
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.port.postMessage({ ...call, id }, transfer)
    })
  }

  async openWriter(name: string): Promise<FileWriter> {
    const writer = await this.call<number>({ type: 'openWriter', name })
    let failed: { err: unknown } | null = null
    let queued = 0
    let room: (() => void)[] = []
    const check = () => {
      if (failed) throw failed.err
    }
    return {
      write: async (bytes, at, options) => {
        check()
        // An owned buffer moves to the I/O worker; a borrowed one is copied first.
        const data = options?.transfer ? bytes : bytes.slice()
        queued += data.length
        const n = data.length
        const done = (err?: { err: unknown }) => {
          failed ??= err ?? null
          queued -= n
          if (queued > this.highWaterBytes && !failed) return
          for (const r of room) r()
          room = []
        }
        this.call({ type: 'write', writer, bytes: data, at }, [data.buffer as ArrayBuffer]).then(
          () => done(),
          (err: unknown) => done({ err }),
        )
        while (queued > this.highWaterBytes && !failed) await new Promise<void>((r) => room.push(r))
        check()
      },
      read: async (at, length) => {
        check()
        return this.call({ type: 'writerRead', writer, at, length })
      },
      flush: async () => {
        check()
        await this.call({ type: 'flush', writer })
      },
      truncate: async (size) => {
        check()
        await this.call({ type: 'truncate', writer, size })
      },
      close: () => this.call({ type: 'close', writer }),
    }
  }

  read(name: string, at: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
    return this.call({ type: 'read', name, at, length })
  }

  blob(name: string): Promise<Blob | null> {
    return this.call({ type: 'blob', name })
  }

  remove(name: string): Promise<void> {
    return this.call({ type: 'remove', name })
  }

  list(): Promise<string[]> {
    return this.call({ type: 'list' })
  }
}
