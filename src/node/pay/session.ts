/**
 * One account's payments on one chain (DESIGN §4.6): the ledger and its lines in memory, the
 * payers' books from log sync, the spending budget, the series, the cash-out runner and the
 * payer lines this node signs on. The pay service (service.ts) opens one per account context
 * and closes it when the account changes; the ports and the RPC handlers read it.
 *
 * The payer and the payee are always the node's own hot key (the identity's embedded
 * account): it signs cheques in the worker with no prompt and submits cash-outs by policy.
 * An external wallet only funds it (`depositFor`).
 */
import type { Address, LocalAccount } from 'viem'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import type { AccountContext } from '../account/service.ts'
import { chequebookAbi } from '../chain/abi.ts'
import { type ChainContext, createChainClients } from '../chain/clients.ts'
import { getChequebookAccount, getPaid } from '../chain/reads.ts'
import { logger } from '../log.ts'
import { type ChequebookLog, PayerBook } from './book.ts'
import { CashOut } from './cashOut.ts'
import { type ChequeLine, type ChequeVerifier, createChequeVerifier } from './cheques.ts'
import { SERIES_WINDOW_MS } from './constants.ts'
import { CardEarnings, dayOf, EARNINGS_DAYS } from './earnings.ts'
import type { CashedEvent, LineKey, PayLedger } from './ledger.ts'
import { openPayLedger } from './ledger.ts'
import { LineBook } from './lines.ts'
import { openPayPrefs, type PayPrefs } from './prefs.ts'
import { PaySeries } from './series.ts'
import type { PayerLine } from './spend.ts'
import { SpendBudget } from './spend.ts'
import { type ChequebookSync, startChequebookSync } from './sync.ts'

const log = logger('pay')

export type PaySessionInit = {
  ctx: AccountContext
  /** Database names are `<prefix>-<address>` and `<prefix>-prefs-<address>`. */
  dbPrefix: string
  confirmations: number
  pollIntervalMs: number
  /** Cash by policy when owed ≥ this × the batch's gas cost. */
  cashMultiple?: bigint
  emit(e: NodeEvent): void
  /** Log sync saw an event of this node's book or lines (a deposit, a withdrawal, a cash). */
  onOwnEvent?(log: ChequebookLog): void
  now?: () => number
}

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10)
const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

/** A chain context whose account is the identity's own key, whatever the page's wallet. */
function hotChain(ctx: AccountContext): ChainContext {
  if (same(ctx.chain.account.address, ctx.identity.address)) return ctx.chain
  return {
    ...createChainClients({
      rpcUrl: ctx.config.rpcUrl,
      chainId: ctx.config.chainId,
      account: ctx.identity.account,
    }),
    contracts: ctx.config.contracts,
  }
}

/** See the module comment. Build with {@link PaySession.open}. */
export class PaySession {
  readonly me: Address
  /** Signs this node's cheques. */
  readonly account: LocalAccount
  readonly chainId: number
  readonly chequebook: Address
  /** Transactions from the node's own key (cash, claim, withdraw, its own deposits). */
  readonly hot: ChainContext
  /** Transactions from the account in use: the page's wallet when one is chosen. */
  readonly wallet: ChainContext
  readonly book: PayerBook
  readonly cashOut: CashOut
  /** One payer line per (payee, cardId), lowercase `payee:cardId`. */
  readonly payerLines = new Map<string, { price: bigint; line: PayerLine }>()
  #sync: ChequebookSync | null = null
  #closed = false
  readonly #verifier: ChequeVerifier = createChequeVerifier()
  readonly #checks = new Map<string, (cumulative: bigint, signature: Uint8Array) => boolean>()
  #delay: Promise<number> | null = null
  /** Who hears of a payer's book changing, per payer (lowercase): onBookChange. */
  readonly #bookWatchers = new Map<string, Set<() => void>>()

  private constructor(
    private readonly init: PaySessionInit,
    readonly ledger: PayLedger,
    readonly prefs: PayPrefs,
    readonly lines: LineBook,
    readonly budget: SpendBudget,
    readonly series: PaySeries,
    /** Wei earned per card and day, the last week's (the personal node's eviction weighs it). */
    readonly earnings: CardEarnings,
  ) {
    const { ctx } = init
    this.me = ctx.identity.address
    this.account = ctx.identity.account
    this.chainId = ctx.config.chainId
    this.chequebook = ctx.config.contracts.chequebook
    this.hot = hotChain(ctx)
    this.wallet = ctx.chain
    const fromBlock = BigInt(ctx.config.deployBlock)
    this.book = new PayerBook({
      fromBlock,
      syncedTo: () => this.#sync?.syncedTo ?? fromBlock - 1n,
      read: (payer, blockNumber) => getChequebookAccount(this.hot, { payer, blockNumber }),
      onChange: (payer) => {
        for (const fn of [...(this.#bookWatchers.get(payer.toLowerCase()) ?? [])]) fn()
      },
      onError: (err) => log.warn('reading a chequebook account failed: %s', (err as Error).message),
    })
    this.cashOut = new CashOut({
      chain: this.hot,
      lines,
      book: this.book,
      syncNow: () => this.syncNow(),
      ...(init.cashMultiple === undefined ? {} : { multiple: init.cashMultiple }),
      ...(init.now ? { now: init.now } : {}),
    })
  }

  /**
   * Calls `fn` whenever `payer`'s book changes (its first read, a deposit, a withdrawal, a
   * cash); returns the call that stops it.
   */
  onBookChange(payer: Address, fn: () => void): () => void {
    const k = payer.toLowerCase()
    const set = this.#bookWatchers.get(k) ?? new Set()
    set.add(fn)
    this.#bookWatchers.set(k, set)
    return () => {
      set.delete(fn)
      if (set.size === 0 && this.#bookWatchers.get(k) === set) this.#bookWatchers.delete(k)
    }
  }

  /** Opens the databases, loads the ledger into memory and starts following the chain. */
  static async open(init: PaySessionInit): Promise<PaySession> {
    const now = init.now ?? Date.now
    const me = init.ctx.identity.address.toLowerCase()
    const ledger = await openPayLedger({ dbName: `${init.dbPrefix}-${me}` })
    const prefs = await openPayPrefs(`${init.dbPrefix}-prefs-${me}`)
    const lines = new LineBook(await ledger.lines())
    const budget = new SpendBudget({
      limits: await prefs.limits(),
      spentToday: await ledger.spentOn(utcDay(now())),
      spentPerItem: lines.spentPerItem(),
      now,
    })
    const series = new PaySeries({
      points: await prefs.points(now() - SERIES_WINDOW_MS),
      save: (points) => prefs.savePoints(points),
      onError: (err) => log.warn('saving the series failed: %s', (err as Error).message),
      now,
    })
    const earnings = new CardEarnings({
      rows: await prefs.earned(dayOf(now()) - EARNINGS_DAYS + 1),
      save: (rows) => prefs.saveEarned(rows),
      onError: (err) => log.warn('saving earnings failed: %s', (err as Error).message),
      now,
    })
    const s = new PaySession(init, ledger, prefs, lines, budget, series, earnings)
    await s.#start()
    return s
  }

  async #start(): Promise<void> {
    const { ctx } = this.init
    this.#sync = await startChequebookSync({
      chain: this.hot,
      cursors: ctx.cursors,
      cursorKey: `${this.chainId}:pay:${this.chequebook}:${this.me}`.toLowerCase(),
      fromBlock: BigInt(ctx.config.deployBlock),
      confirmations: this.init.confirmations,
      pollIntervalMs: this.init.pollIntervalMs,
      onLogs: (logs) => this.#onLogs(logs),
      onReorg: (from) => this.#onReorg(from),
      log,
    })
    // Watched only now, so each is read at the block the persisted cursor stands at.
    this.book.watch(this.me)
    for (const l of this.lines.all('received')) this.book.watch(l.payer)
    log('session for %s on chain %d', this.me, this.chainId)
  }

  /** Whether the session was closed (the account changed): nothing may be signed any more. */
  get closed(): boolean {
    return this.#closed
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#sync?.stop()
    await this.series.flush()
    await this.earnings.flush()
    this.ledger.close()
    this.prefs.close()
  }

  /** A log sync pass now (after a transaction of this node). */
  syncNow(): Promise<void> {
    return this.#sync?.syncNow() ?? Promise.resolve()
  }

  /** The cheque line (payer, payee, cardId) of this chain and chequebook. */
  chequeLine(k: LineKey): ChequeLine {
    return { chainId: this.chainId, chequebook: this.chequebook, ...k }
  }

  /** A cached signature check for a line (cheques.ts); never throws. */
  checker(k: LineKey): (cumulative: bigint, signature: Uint8Array) => boolean {
    const id = `${k.payer}:${k.payee}:${k.cardId}`.toLowerCase()
    let check = this.#checks.get(id)
    if (!check) {
      try {
        check = this.#verifier.forLine(this.chequeLine(k))
      } catch {
        check = () => false // not an address or card id: nothing verifies
      }
      if (this.#checks.size > 1_000) this.#checks.clear()
      this.#checks.set(id, check)
    }
    return check
  }

  /** The contract's WITHDRAW_DELAY (seconds), read once. */
  withdrawDelay(): Promise<number> {
    this.#delay ??= this.hot.publicClient
      .readContract({
        address: this.chequebook,
        abi: chequebookAbi,
        functionName: 'WITHDRAW_DELAY',
      })
      .then(Number)
      .catch((err: unknown) => {
        this.#delay = null
        throw err
      })
    return this.#delay
  }

  /**
   * A batch from log sync: the books first (synchronously, before anything else can read
   * them), then the ledger reconciles this node's cashed lines and the memory follows.
   */
  async #onLogs(logs: ChequebookLog[]): Promise<void> {
    this.book.apply(logs)
    const cashed: CashedEvent[] = []
    for (const l of logs) {
      if (!this.#isOwn(l)) continue
      this.init.onOwnEvent?.(l)
      if (l.eventName !== 'ChequeCashed') continue
      const { payer, payee, cardId, amount } = l.args
      cashed.push({
        payer,
        payee,
        cardId,
        amount,
        blockNumber: l.blockNumber,
        logIndex: l.logIndex,
      })
    }
    if (cashed.length > 0) {
      await this.ledger.reconcile(cashed)
      await this.#refreshCashed(cashed)
    }
    if (logs.some((l) => this.#isOwn(l))) this.init.emit({ kind: 'pay.chain' })
  }

  /** Whether an event moves this node's book or one of its lines. */
  #isOwn(l: ChequebookLog): boolean {
    switch (l.eventName) {
      case 'ChequeCashed':
        return same(l.args.payer, this.me) || same(l.args.payee, this.me)
      case 'Deposited':
      case 'WithdrawAnnounced':
      case 'Withdrawn':
        return same(l.args.payer, this.me)
      default:
        return false
    }
  }

  /** Copies what the ledger now says was cashed into memory, for the lines of `events`. */
  async #refreshCashed(keys: readonly LineKey[]): Promise<void> {
    for (const k of keys)
      for (const side of ['sent', 'received'] as const) {
        const l = await this.ledger.get(side, k)
        if (l) this.lines.setCashed(side, k, l.cashed)
      }
  }

  /**
   * The chain reorganised from block `from`: books are read again, and each of this node's
   * lines takes `paidOf` at the block before, from which the re-read events apply again.
   */
  async #onReorg(from: bigint): Promise<void> {
    this.book.reset()
    this.cashOut.forgetPending()
    const asOf = from - 1n
    for (const l of this.lines.all()) {
      if (l.cashed === 0n) continue
      const { payer, payee, cardId } = l
      const paid = await getPaid(this.hot, { payer, payee, cardId, blockNumber: asOf })
      await this.ledger.setCashed(l.side, l, paid, asOf)
      this.lines.setCashed(l.side, l, paid)
    }
    this.init.emit({ kind: 'pay.chain' })
  }
}
