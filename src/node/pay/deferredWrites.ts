/**
 * Rows written to IndexedDB in the background: a change marks its row, and one write a few
 * seconds later saves every row marked since, so a burst of cheques costs one transaction.
 * The pay service's series and per-card earnings both keep their memory this way.
 */

export type DeferredWritesInit<T> = {
  save(rows: readonly T[]): Promise<void>
  onError?: (err: unknown) => void
  /** How long after the first change a write happens (ms). */
  flushMs: number
}

/** See the module comment; call {@link DeferredWrites.flush} on close. */
export class DeferredWrites<T> {
  readonly #dirty = new Map<string, T>()
  #timer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly init: DeferredWritesInit<T>) {}

  /** Marks `row` (by `key`: a later mark of the same key replaces it) for the next write. */
  mark(key: string, row: T): void {
    this.#dirty.set(key, row)
    this.#timer ??= setTimeout(() => void this.flush(), this.init.flushMs)
  }

  /** Writes the rows marked since the last write; a failure goes to `onError`. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    if (this.#dirty.size === 0) return
    const batch = [...this.#dirty.values()]
    this.#dirty.clear()
    await this.init.save(batch).catch((err: unknown) => this.init.onError?.(err))
  }
}
