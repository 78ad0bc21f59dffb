/**
 * The pay service (DESIGN §1 `pay/`, §4.6): paying and being paid per slice. For the current
 * account context it runs a pay session (session.ts: ledger, chain view by log sync, budget,
 * series, cash-out) and starts a new one when the account changes. Around it:
 *
 * - {@link PayService.seller} and {@link PayService.buyer}, the ports the `hc_pay` wire
 *   extension calls (ports.ts), synchronous from memory on the per-slice path;
 * - the cash-out policy: a look every 30 s and shortly after accepted cheques, cashing when
 *   what is owed passes a multiple of the batch's gas (cashPolicy.ts);
 * - the `pay.*` RPC handlers (handlers.ts) and `pay.*` events.
 *
 * Without a chain or an identity there is no session: terms are null (this node serves free
 * and says nothing), hello is null (it fetches only from free peers), the overview is null.
 */

import { PayUnavailableError } from '../../shared/errors/pay.ts'
import type { PayDebug, PayOverview } from '../../shared/protocol/methods/pay.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import type { AccountContext } from '../account/service.ts'
import { DEV_CHAIN_ID } from '../keys/constants.ts'
import { logger } from '../log.ts'
import type { Registrar } from '../rpc/server.ts'
import { createBuyer } from './buyer.ts'
import { BurstTimer } from './cashPolicy.ts'
import {
  CASH_AFTER_CHEQUE_MS,
  CASH_BURST_MAX_MS,
  CASH_CHECK_MS,
  CONFIRMATIONS,
  CONFIRMATIONS_DEV,
  DEFAULT_CREDIT,
  POLL_MS,
  POLL_MS_DEV,
} from './constants.ts'
import type { ReceiptSource } from './extensionLink.ts'
import { createPayHandlers } from './handlers.ts'
import type { Misbehaviour } from './misbehave.ts'
import type { BuyerPort, SellerPort } from './ports.ts'
import { createSeller } from './seller.ts'
import { PaySession } from './session.ts'

const log = logger('pay')

export type PayServiceInit = {
  /** IndexedDB names start with this (default `hashcard-pay`); one ledger per account. */
  dbPrefix?: string
  /** Chequebook log confirmations and polling (defaults: constants.ts, dev or not). */
  confirmations?: number
  pollIntervalMs?: number
  /** How often the cash-out policy looks (ms); 0 turns the timer off. */
  cashIntervalMs?: number
  /** Cash by policy when owed ≥ this × the batch's gas cost (default 10). */
  cashMultiple?: bigint
  /** Dev chains only: `pay.debug` may make this node a misbehaving payer (misbehave.ts). */
  dev?: boolean
  /** Slices served ahead of payment (default 2). */
  credit?: number
  now?: () => number
}

/** What the service needs of the account service. */
export type PayAccount = {
  context(): Promise<AccountContext | null>
  onChange(fn: () => Promise<void>): () => void
  /** On-chain actions go through the page's wallet: deposits then use `depositFor`. */
  readonly usesExternal: boolean
}

export type PayServiceComponents = {
  account: PayAccount
  emit(event: NodeEvent): void
  /** Wei per slice of an item, from the personal node's settings (default: everything free). */
  priceOf?: (itemId: string) => bigint
}

/**
 * Factory in the libp2p style: `payService(init)(components)`; registers the `pay.*` handlers.
 * @example
 * const pay = payService()({ account, emit, rpc, priceOf })
 * // the swarm's hc_pay extension is handed pay.seller and pay.buyer
 */
export function payService(init: PayServiceInit = {}) {
  return (c: PayServiceComponents & { rpc?: Registrar }) => {
    const pay = new PayService(c, init)
    c.rpc?.register(createPayHandlers(pay))
    return pay
  }
}

export class PayService {
  readonly seller: SellerPort & ReceiptSource
  readonly buyer: BuyerPort
  #current: Promise<PaySession | null> | null = null
  #live: PaySession | null = null
  #off: (() => void) | null = null
  #stopped: PayOverview['stopped'] = null
  #misbehave: Misbehaviour = 'none'
  #credit: number
  #timer: ReturnType<typeof setInterval> | null = null
  /** Looks at the cash-out policy after accepted cheques (cashPolicy.ts BurstTimer). */
  readonly #soon = new BurstTimer(CASH_AFTER_CHEQUE_MS, CASH_BURST_MAX_MS, () => {
    void this.cashByPolicy()
  })
  /** Bumped by every close, so a session that finishes opening after it is closed at once. */
  #generation = 0

  constructor(
    private readonly c: PayServiceComponents,
    private readonly init: PayServiceInit,
  ) {
    const live = () => this.#live
    this.#credit = init.credit ?? DEFAULT_CREDIT
    this.seller = createSeller({
      live,
      priceOf: c.priceOf ?? (() => 0n),
      credit: () => this.#credit,
      emit: c.emit,
      afterCheque: () => this.#cashSoon(),
    })
    this.buyer = createBuyer({
      live,
      session: () => this.session(),
      emit: c.emit,
      setStopped: (s) => this.#setStopped(s),
      chequeSigned: () => {
        if (this.#stopped?.reason !== 'balance') this.#setStopped(null)
      },
      misbehave: () => this.#misbehave,
    })
  }

  /** `pay.debug`: a misbehaving payer (misbehave.ts), or another credit for new wires. */
  debug(p: PayDebug): void {
    if (!this.init.dev) throw new RangeError('pay.debug: only on a development chain')
    if (p.misbehave !== undefined) this.#misbehave = p.misbehave
    if (p.credit !== undefined) this.#credit = p.credit
  }

  async start(): Promise<void> {
    this.#off ??= this.c.account.onChange(() => this.restart())
    const every = this.init.cashIntervalMs ?? CASH_CHECK_MS
    if (every > 0) this.#timer ??= setInterval(() => void this.cashByPolicy(), every)
    await this.session().catch((err: Error) => log.warn('not started: %s', err.message))
  }

  async stop(): Promise<void> {
    this.#off?.()
    this.#off = null
    if (this.#timer) clearInterval(this.#timer)
    this.#soon.stop()
    this.#timer = null
    await this.#close()
  }

  /** Closes the session and opens one for the current account. */
  async restart(): Promise<void> {
    await this.#close()
    await this.session().catch((err: Error) => log.warn('not started: %s', err.message))
  }

  /** The session, or null when there is no chain or no identity. */
  session(): Promise<PaySession | null> {
    this.#current ??= this.#open().catch((err: unknown) => {
      this.#current = null
      throw err
    })
    return this.#current
  }

  /** The session, or PayUnavailableError. */
  async require(): Promise<PaySession> {
    const s = await this.session()
    if (!s) throw new PayUnavailableError('Paying needs a chain and an identity.')
    return s
  }

  /** The open session, synchronously (null while opening). */
  live(): PaySession | null {
    return this.#live
  }

  get usesExternal(): boolean {
    return this.c.account.usesExternal
  }

  /**
   * Wei this node earned from a card over the last 7 days (UTC days, today included), from
   * the open session's memory; 0n without one. Synchronous: eviction weighs it per item.
   */
  earned7d(cardId: string | null | undefined): bigint {
    if (!cardId) return 0n
    return this.#live?.earnings.lastDays(cardId) ?? 0n
  }

  /** Why paid fetching stopped, or null. */
  stopped(): PayOverview['stopped'] {
    return this.#stopped
  }

  /** Spending caps changed: a stop for a cap is lifted (the next cheque finds out). */
  settingsChanged(): void {
    if (this.#stopped?.reason === 'cap') this.#setStopped(null)
  }

  /** One look of the cash-out policy; failures are logged (the next look tries again). */
  async cashByPolicy(): Promise<void> {
    const s = this.#live
    if (!s || s.closed) return
    try {
      const r = await s.cashOut.cash({ onDemand: false })
      if (r.hash) log('cashed %d cheques for %s wei (%s)', r.cheques, r.amount, r.hash)
    } catch (err) {
      log.warn('cash-out failed: %s', (err as Error).message)
    }
  }

  #cashSoon(): void {
    this.#soon.poke()
  }

  #setStopped(s: PayOverview['stopped']): void {
    if (s === null && this.#stopped === null) return
    if (s && this.#stopped?.reason === s.reason && this.#stopped.message === s.message) return
    this.#stopped = s
    this.c.emit({ kind: 'pay.stopped', stopped: s })
  }

  async #open(): Promise<PaySession | null> {
    const generation = this.#generation
    const ctx = await this.c.account.context()
    if (!ctx || generation !== this.#generation) return null
    const dev = ctx.config.chainId === DEV_CHAIN_ID
    const s = await PaySession.open({
      ctx,
      dbPrefix: this.init.dbPrefix ?? 'hashcard-pay',
      confirmations: this.init.confirmations ?? (dev ? CONFIRMATIONS_DEV : CONFIRMATIONS),
      pollIntervalMs: this.init.pollIntervalMs ?? (dev ? POLL_MS_DEV : POLL_MS),
      emit: this.c.emit,
      onOwnEvent: (l) => {
        // A top-up may let paid fetching go on: the next cheque finds out.
        if (l.eventName === 'Deposited' && this.#stopped?.reason === 'balance')
          this.#setStopped(null)
      },
      ...(this.init.cashMultiple === undefined ? {} : { cashMultiple: this.init.cashMultiple }),
      ...(this.init.now ? { now: this.init.now } : {}),
    })
    if (generation !== this.#generation) {
      await s.close()
      return null
    }
    this.#live = s
    return s
  }

  async #close(): Promise<void> {
    const old = this.#current
    this.#generation += 1
    this.#current = null
    this.#live = null
    const s = await old?.catch(() => null)
    await s?.close()
  }
}
