/**
 * When a seeder cashes (DESIGN §4.6): on demand, or when what it is owed passes a multiple of
 * what the `cashBatch` would cost in gas, so fees stay a small share of earnings.
 */
import type { Address, Hex } from 'viem'
import { InvalidInputError } from '../../shared/errors/common.ts'

/**
 * Gas of `cashBatch`, from contracts/test/ChequebookBatch.test.ts (anvil, Prague): 20 renewed
 * lines cost ≈ 485,000 and 20 new lines ≈ 852,000 (± a few dozen: signature bytes vary). A
 * renewed line (cashed before) reuses its storage slot and the cached creator; a new one writes
 * a fresh slot (+20,000) and calls the registry. Rounded up, so the estimate errs to waiting.
 */
export const cashBatchGas = { base: 35_000n, newLine: 41_000n, renewedLine: 23_000n } as const

/** Defaults: cash when owed ≥ 10 × the batch's gas cost; at most 50 cheques per batch. */
export const cashPolicyDefaults = { multiple: 10n, maxBatch: 50 } as const

/** A line this seeder holds a cheque on, with what is left to cash. */
export type OwedLine = {
  payer: Address
  payee: Address
  cardId: Hex
  /** Newest cheque held minus what was paid on-chain. */
  owed: bigint
  /** Whether the line was cashed before (cheaper to cash again). */
  renewed: boolean
}

export type CashPlanParameters = {
  /** Wei per gas the transaction is expected to pay. */
  gasPrice: bigint
  /** Cash when Σ owed ≥ multiple × gas cost. */
  multiple?: bigint
  maxBatch?: number
  /** The user asked: cash whatever is worth its own gas, now. */
  onDemand?: boolean
}

/** What to do now. */
export type CashPlan<L extends OwedLine> = {
  cash: boolean
  /** The entries to send, sorted by card (the contract sums royalties over runs of a creator). */
  entries: L[]
  /** Σ owed over `entries`. */
  owed: bigint
  /** Estimated gas and its cost in wei. */
  gas: bigint
  cost: bigint
}

const lineGas = (l: OwedLine): bigint =>
  l.renewed ? cashBatchGas.renewedLine : cashBatchGas.newLine

/**
 * Plans a cash-out. A line is only worth including if it pays more than its own gas; the
 * largest amounts go first when there are more than `maxBatch`.
 * @example const plan = planCashOut(lines, { gasPrice }); if (plan.cash) cashChequeBatch(ctx, …)
 */
export function planCashOut<L extends OwedLine>(
  lines: readonly L[],
  p: CashPlanParameters,
): CashPlan<L> {
  const multiple = p.multiple ?? cashPolicyDefaults.multiple
  const maxBatch = p.maxBatch ?? cashPolicyDefaults.maxBatch
  if (p.gasPrice < 0n || multiple < 1n || !Number.isInteger(maxBatch) || maxBatch < 1)
    throw new InvalidInputError('Cash policy: gasPrice ≥ 0, multiple ≥ 1, maxBatch ≥ 1.')
  const worth = lines
    .filter((l) => l.owed > lineGas(l) * p.gasPrice)
    .sort((a, b) => (a.owed === b.owed ? 0 : a.owed > b.owed ? -1 : 1))
    .slice(0, maxBatch)
    .sort((a, b) => a.cardId.toLowerCase().localeCompare(b.cardId.toLowerCase()))
  const owed = worth.reduce((s, l) => s + l.owed, 0n)
  const gas =
    worth.length === 0 ? 0n : worth.reduce<bigint>((s, l) => s + lineGas(l), cashBatchGas.base)
  const cost = gas * p.gasPrice
  const cash = worth.length > 0 && (p.onDemand === true || owed >= multiple * cost)
  return { cash, entries: worth, owed, gas, cost }
}

/**
 * When the policy looks after accepted cheques: once they pause for `quietMs`, or `maxMs`
 * after the first cheque of a burst that does not pause. A payer streaming a slice every few
 * dozen milliseconds would otherwise start a cash-out every `quietMs`, each a transaction
 * whose signing, receipt and log sync share the machine with the transfer.
 * @example const timer = new BurstTimer(2_000, 60_000, () => void cashByPolicy())
 * seller.onAccepted(() => timer.poke())
 */
export class BurstTimer {
  #timer: ReturnType<typeof setTimeout> | null = null
  #start: number | null = null

  constructor(
    private readonly quietMs: number,
    private readonly maxMs: number,
    private readonly fire: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Another cheque: the look moves to `quietMs` from now, never past the burst's `maxMs`. */
  poke(): void {
    const now = this.now()
    this.#start ??= now
    if (this.#timer) clearTimeout(this.#timer)
    const wait = Math.min(this.quietMs, this.#start + this.maxMs - now)
    this.#timer = setTimeout(
      () => {
        this.#timer = null
        this.#start = null
        this.fire()
      },
      Math.max(0, wait),
    )
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    this.#start = null
  }
}
