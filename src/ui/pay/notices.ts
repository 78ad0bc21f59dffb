/**
 * The states of paying per slice a person must know about (DESIGN §4.6), from the overview:
 * no chain, no or an empty chequebook, a spent balance, a cap, and paid fetching stopped.
 * Each has a stable id (the `data-testid` is `pay-<id>`); free seeders serve in every one.
 */
import type { PayOverview } from '../../shared/protocol/methods/pay.ts'
import { ethText, weiOf } from './format.ts'

export type NoticeId =
  | 'no-chain'
  | 'no-chequebook'
  | 'stopped'
  | 'empty'
  | 'spent'
  | 'cap'
  | 'free-only'

export type Notice = {
  id: NoticeId
  /** `alert` for what stops paid fetching now, `status` for the rest. */
  tone: 'alert' | 'status'
  text: string
  /** Stopped notices only: the node's reason. */
  reason?: NonNullable<PayOverview['stopped']>['reason']
}

const STOP_TITLES: Record<NonNullable<PayOverview['stopped']>['reason'], string> = {
  cap: 'Paid download stopped: a spending cap is reached',
  balance: 'Paid download stopped: your chequebook balance is spent',
  rejected: 'Paid download stopped: a seeder refused our cheques',
}

/**
 * The notice of a stop (`pay.stopped` or the overview's `stopped`), or null while paid
 * fetching runs.
 * @example stoppedNotice({ reason: 'cap', message: "Today's spending cap is reached." })?.text
 */
export function stoppedNotice(stopped: PayOverview['stopped']): Notice | null {
  if (!stopped) return null
  const message = stopped.message.trim()
  return {
    id: 'stopped',
    tone: 'alert',
    reason: stopped.reason,
    text: `${STOP_TITLES[stopped.reason]}${message ? ` — ${message}` : '.'} Free seeders still serve.`,
  }
}

/**
 * What to tell the person, most pressing first. `payee` (the Earnings view) only needs to know
 * whether there is a chain; `payer` also hears about its chequebook, caps and stops.
 */
export function payNotices(
  overview: PayOverview | null,
  stopped: PayOverview['stopped'],
  side: 'payer' | 'payee' = 'payer',
): Notice[] {
  if (!overview)
    return [
      {
        id: 'no-chain',
        tone: 'status',
        text: 'This node has no chain, so nothing is paid or earned per slice. Free seeders still serve.',
      },
    ]
  if (side === 'payee') return []
  const out: Notice[] = []
  const stop = stoppedNotice(stopped)
  if (stop) out.push(stop)
  const book = overview.chequebook
  if (!book) {
    out.push({
      id: 'no-chequebook',
      tone: 'status',
      text: 'This chain has no chequebook yet: paid slices are off. Free seeders still serve.',
    })
    return out
  }
  const balance = weiOf(book.balance)
  if (stopped?.reason !== 'balance') {
    if (balance === 0n)
      out.push({
        id: 'empty',
        tone: 'status',
        text: 'Your chequebook is empty: deposit to fetch paid slices; free seeders still serve.',
      })
    else if (balance <= weiOf(book.committed))
      out.push({
        id: 'spent',
        tone: 'status',
        text: 'Your cheques promise the whole balance: top up to keep fetching paid slices.',
      })
  }
  const { maxPrice, perDay } = overview.settings
  if (weiOf(maxPrice) === 0n)
    out.push({
      id: 'free-only',
      tone: 'status',
      text: 'Your max price per slice is 0: only free seeders serve you.',
    })
  else if (stopped?.reason !== 'cap' && weiOf(overview.spentToday) >= weiOf(perDay))
    out.push({
      id: 'cap',
      tone: 'status',
      text: `Today's spending cap (${ethText(perDay)}) is reached: paid fetching resumes tomorrow (UTC) or when you raise it.`,
    })
  return out
}
