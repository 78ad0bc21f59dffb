/**
 * The `pay.*` RPC handlers (src/shared/protocol/methods/pay.ts): the overview the page shows,
 * the spending settings, and the chequebook's transactions — deposits (from the node's key, or
 * through the page's wallet with `depositFor`), withdrawals, cash-outs and royalty claims.
 * Each transaction is followed by a log sync pass, so the overview shows it at once where the
 * chain's confirmations allow.
 */
import { type Hex, isAddressEqual, parseEventLogs, type TransactionReceipt } from 'viem'
import { InternalError, InvalidInputError } from '../../shared/errors/common.ts'
import type {
  ChequebookState,
  PayDebug,
  PayLine,
  PayOverview,
} from '../../shared/protocol/methods/pay.ts'
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { chequebookAbi } from '../chain/abi.ts'
import { claimOwed } from '../chain/claimOwed.ts'
import { depositForChequebook } from '../chain/depositForChequebook.ts'
import { depositToChequebook } from '../chain/depositToChequebook.ts'
import { getOwed } from '../chain/reads.ts'
import { announceWithdraw, withdrawDeposit } from '../chain/withdrawDeposit.ts'
import type { RpcContext } from '../rpc/server.ts'
import type { LedgerLine } from './ledger.ts'
import { MISBEHAVIOURS } from './misbehave.ts'
import { parseSettings, settingsOf } from './prefs.ts'
import type { PaySession } from './session.ts'

type PayMethod = Extract<keyof RpcMethods, `pay.${string}`>
export type PayHandlers = {
  [M in PayMethod]: (params: RpcParams<M>, ctx: RpcContext) => Promise<RpcResult<M>>
}

/** What the handlers need of the pay service. */
export type PayHandlersHost = {
  session(): Promise<PaySession | null>
  /** The session, or PayUnavailableError saying why there is none. */
  require(): Promise<PaySession>
  /** Whether on-chain actions of the account go through the page's wallet. */
  readonly usesExternal: boolean
  stopped(): PayOverview['stopped']
  /** New spending caps were saved. */
  settingsChanged(): void
  /** Dev chains: makes new payer lines misbehave (misbehave.ts); throws elsewhere. */
  debug(p: PayDebug): void
}

/** Any bytes32: the budget's day total does not depend on the card asked about. */
const ANY_CARD: Hex = `0x${'00'.repeat(32)}`

/** A decimal wei amount from the page; InvalidInputError naming `what` otherwise. */
function wei(value: unknown, what: string, min = 1n): bigint {
  if (typeof value !== 'string' || !/^\d{1,78}$/.test(value) || BigInt(value) < min)
    throw new InvalidInputError(`${what} must be a whole number of wei ≥ ${min}.`, {
      details: String(value).slice(0, 100),
    })
  return BigInt(value)
}

/** The amount of the Chequebook's `name` event in a receipt (its own logs only). */
function amountIn(s: PaySession, r: TransactionReceipt, name: 'Withdrawn' | 'Claimed'): bigint {
  const logs = r.logs.filter((l) => isAddressEqual(l.address, s.chequebook))
  const [e] = parseEventLogs({ abi: chequebookAbi, logs, eventName: name })
  if (!e) throw new InternalError(`The transaction emitted no ${name} event.`)
  return e.args.amount
}

/** A ledger line as the page reads it (wei as decimal strings). */
export function payLine(l: LedgerLine): PayLine {
  return {
    side: l.side,
    payer: l.payer,
    payee: l.payee,
    cardId: l.cardId,
    cumulative: l.cumulative.toString(),
    cashed: l.cashed.toString(),
    slices: l.slices,
    bytes: l.bytes,
    updatedAt: l.updatedAt,
  }
}

/** The node's own book, from log sync, with what the chain owes it (one read). */
async function chequebookState(s: PaySession): Promise<ChequebookState> {
  // Read again if its last read failed (the chain was down when the session started).
  s.book.watch(s.me)
  const [owed, withdrawDelay] = await Promise.all([
    getOwed(s.hot, { account: s.me, from: 'chequebook' }),
    s.withdrawDelay(),
  ])
  const a = s.book.account(s.me)
  return {
    payer: s.me,
    chequebook: s.chequebook,
    chainId: s.chainId,
    balance: (a?.balance ?? 0n).toString(),
    committed: s.lines.outstanding('sent').toString(),
    withdrawal:
      a && a.unlockAt > 0 ? { amount: a.announced.toString(), unlockAt: a.unlockAt } : null,
    withdrawDelay,
    owed: owed.toString(),
  }
}

async function overview(host: PayHandlersHost): Promise<PayOverview | null> {
  const s = await host.session()
  if (!s) return null
  const [chequebook, plan] = await Promise.all([chequebookState(s), s.cashOut.plan(true)])
  return {
    chequebook,
    settings: settingsOf(s.budget.limits),
    spentToday: s.budget.spent(ANY_CARD).today.toString(),
    lines: s.lines.all().map(payLine),
    owed: s.lines.outstanding('received').toString(),
    cashGasWei: plan.cost.toString(),
    earned: s.series.points('earned'),
    spent: s.series.points('spent'),
    stopped: host.stopped(),
  }
}

/**
 * The `pay.*` handlers over the pay service.
 * @example rpc.register(createPayHandlers(pay))
 */
export function createPayHandlers(host: PayHandlersHost): PayHandlers {
  return {
    'pay.overview': () => overview(host),

    'pay.setSettings': async (p) => {
      const limits = parseSettings(p)
      const s = await host.require()
      await s.prefs.saveLimits(limits)
      s.budget.setLimits(limits)
      host.settingsChanged()
      return settingsOf(limits)
    },

    'pay.deposit': async (p, { signal, confirm }) => {
      const value = wei(p?.amount, 'A deposit')
      const s = await host.require()
      // The page's wallet funds the node's key; without one, the key funds its own book.
      const res = host.usesExternal
        ? await depositForChequebook(s.wallet, { payer: s.me, value, signal, confirm })
        : await depositToChequebook(s.hot, { value, signal, confirm })
      await s.syncNow()
      return { hash: res.hash }
    },

    'pay.announceWithdraw': async (p, { signal, confirm }) => {
      const amount = wei(p?.amount, 'A withdrawal', 0n)
      const s = await host.require()
      const res = await announceWithdraw(s.hot, { amount, signal, confirm })
      await s.syncNow()
      return { hash: res.hash }
    },

    'pay.withdraw': async (_p, { signal, confirm }) => {
      const s = await host.require()
      const res = await withdrawDeposit(s.hot, { signal, confirm })
      const amount = amountIn(s, res.receipt, 'Withdrawn')
      await s.syncNow()
      return { hash: res.hash, amount: amount.toString() }
    },

    'pay.cash': async (_p, { signal, confirm }) => {
      const s = await host.require()
      const r = await s.cashOut.cash({ onDemand: true, signal, confirm })
      return { hash: r.hash, cheques: r.cheques, amount: r.amount.toString() }
    },

    'pay.claim': async (_p, { signal, confirm }) => {
      const s = await host.require()
      const res = await claimOwed(s.hot, { from: 'chequebook', signal, confirm })
      return { hash: res.hash, amount: amountIn(s, res.receipt, 'Claimed').toString() }
    },

    'pay.debug': async (p) => {
      const { misbehave, credit } = p ?? {}
      if (misbehave === undefined && credit === undefined)
        throw new InvalidInputError('pay.debug: give misbehave, credit or both.')
      if (misbehave !== undefined && !MISBEHAVIOURS.includes(misbehave))
        throw new InvalidInputError(`misbehave: one of ${MISBEHAVIOURS.join(', ')}.`)
      if (
        credit !== undefined &&
        !(Number.isInteger(credit) && credit >= 0 && credit <= 0xffffffff)
      )
        throw new InvalidInputError('credit: a whole number of slices, 0 to 2^32 − 1.')
      host.debug({
        ...(misbehave === undefined ? {} : { misbehave }),
        ...(credit === undefined ? {} : { credit }),
      })
      return undefined
    },
  }
}
