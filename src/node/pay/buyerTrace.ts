/**
 * A debug trace of one payer wire's window (off by default; on with
 * `localStorage.debug = 'hashcard:pay:trace'`, or `DEBUG=hashcard:pay:trace` for the benches).
 * It answers where a paid transfer's pieces wait while they count against the seeder's credit
 * (extensionBuyer.ts), on free wires too for comparison. Every {@link TRACE_EVERY_MS} it logs:
 * - the pieces counted, sampled every {@link SAMPLE_MS}, split into those with a block request
 *   still out on the wire (`wire`), those with every block in and not yet checked (`check`:
 *   SHA-1, authentication), and those checked whose cheque has not left yet (`cheque`); the
 *   share of samples at the credit (`full`) and the blocks requested on the wire;
 * - per piece finished in the period, the median and p90 ms from its first request to its
 *   last block, from its last block to checked, and from checked to its cheque sent;
 * - how often the picker asked for a new piece and was held back by the credit;
 * - the cheques sent and the slices they paid (more than one each when cheques backed up and
 *   were batched: extensionBuyer.ts).
 */
import { logger } from '../log.ts'

const log = logger('pay:trace')

/** How often the window is sampled (ms). */
const SAMPLE_MS = 10
/** How often a summary is logged (ms). */
const TRACE_EVERY_MS = 5_000

type PieceTimes = { request: number; lastBlock: number; checked: number }

/** What the trace reads of its wire at each sample. */
export type TraceSource = {
  peerId: () => string | null
  /** Pieces with a block request out on the wire now. */
  onWire: () => Set<number>
  /** Block requests out on the wire now. */
  blocksOut: () => number
  /** Pieces counted against the credit now; null on a free wire (then: requested, not checked). */
  counted: () => Iterable<number> | null
  /** The credit now (Infinity on a free wire). */
  credit: () => number
}

/**
 * One wire's trace, or null when `hashcard:pay:trace` is off (then nothing is gathered).
 * @example const trace = BuyerTrace.start(source); trace?.request(i)
 */
export class BuyerTrace {
  readonly #src: TraceSource
  readonly #pieces = new Map<number, PieceTimes>()
  readonly #timers: ReturnType<typeof setInterval>[]
  #samples = 0
  #sum = { wire: 0, check: 0, cheque: 0, full: 0, blocks: 0 }
  #spans: { wire: number[]; check: number[]; cheque: number[] } = {
    wire: [],
    check: [],
    cheque: [],
  }
  #asks = { allowed: 0, held: 0 }
  #cheques = { sent: 0, slices: 0, most: 0 }
  /** The first request on the wire, and the credit last seen (its growth is logged). */
  #firstRequest: number | null = null
  #credit = 0

  static start(src: TraceSource): BuyerTrace | null {
    return log.enabled() ? new BuyerTrace(src) : null
  }

  private constructor(src: TraceSource) {
    this.#src = src
    this.#timers = [
      setInterval(() => this.#sample(), SAMPLE_MS),
      setInterval(() => this.#report(), TRACE_EVERY_MS),
    ]
  }

  request(index: number): void {
    this.#firstRequest ??= now()
    if (!this.#pieces.has(index))
      this.#pieces.set(index, { request: now(), lastBlock: 0, checked: 0 })
  }

  block(index: number): void {
    const p = this.#pieces.get(index)
    if (p) p.lastBlock = now()
  }

  checked(index: number): void {
    const p = this.#pieces.get(index)
    if (p && !p.checked) p.checked = now()
  }

  /** The piece's cheque left (a paid wire), or it checked (a free one): it no longer counts. */
  settled(index: number): void {
    const p = this.#pieces.get(index)
    this.#pieces.delete(index)
    if (!p?.lastBlock || !p.checked) return
    this.#spans.wire.push(p.lastBlock - p.request)
    this.#spans.check.push(p.checked - p.lastBlock)
    this.#spans.cheque.push(now() - p.checked)
  }

  /** The picker asked about a new piece: allowed, or held back by the credit. */
  ask(allowed: boolean): void {
    if (allowed) this.#asks.allowed += 1
    else this.#asks.held += 1
  }

  /** A cheque left, paying for `slices` slices. */
  cheque(slices: number): void {
    this.#cheques.sent += 1
    this.#cheques.slices += slices
    this.#cheques.most = Math.max(this.#cheques.most, slices)
  }

  stop(): void {
    this.#report()
    for (const t of this.#timers) clearInterval(t)
  }

  #sample(): void {
    const onWire = this.#src.onWire()
    let n = 0
    for (const i of this.#src.counted() ?? this.#pieces.keys()) {
      n += 1
      if (onWire.has(i)) this.#sum.wire += 1
      else if (this.#pieces.get(i)?.checked) this.#sum.cheque += 1
      else this.#sum.check += 1
    }
    if (n > 0 && n >= this.#src.credit()) this.#sum.full += 1
    this.#sum.blocks += this.#src.blocksOut()
    this.#samples += 1
    const credit = this.#src.credit()
    if (credit !== this.#credit && Number.isFinite(credit) && this.#firstRequest !== null) {
      this.#credit = credit
      log(
        'credit %d, %d ms after the first request',
        credit,
        Math.round(now() - this.#firstRequest),
      )
    }
  }

  #report(): void {
    const k = this.#samples
    const spans = this.#spans
    if (k === 0 || spans.wire.length === 0) return
    const mean = (x: number) => (x / k).toFixed(2)
    log(
      '%s counted: wire %s, check %s, cheque %s (mean of %d samples; at the credit %s%), blocks out %s; ' +
        'per piece (%d) ms median/p90: request→last block %s, last block→checked %s, checked→cheque %s; ' +
        'new-piece asks %d allowed, %d held back; %d cheques for %d slices (at most %d in one)',
      this.#src.peerId()?.slice(0, 8),
      mean(this.#sum.wire),
      mean(this.#sum.check),
      mean(this.#sum.cheque),
      k,
      ((100 * this.#sum.full) / k).toFixed(1),
      mean(this.#sum.blocks),
      spans.wire.length,
      quantiles(spans.wire),
      quantiles(spans.check),
      quantiles(spans.cheque),
      this.#asks.allowed,
      this.#asks.held,
      this.#cheques.sent,
      this.#cheques.slices,
      this.#cheques.most,
    )
    this.#samples = 0
    this.#sum = { wire: 0, check: 0, cheque: 0, full: 0, blocks: 0 }
    this.#spans = { wire: [], check: [], cheque: [] }
    this.#asks = { allowed: 0, held: 0 }
    this.#cheques = { sent: 0, slices: 0, most: 0 }
  }
}

const now = () => performance.now()

function quantiles(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q: number) => (s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(1)
  return `${at(0.5)}/${at(0.9)}`
}
