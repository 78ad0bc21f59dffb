/**
 * The wallet's history (issue #18 item 3): the money entries of the activity store and the pay
 * ledger's cheque lines, newest first, each with links to the entries it relates to:
 *
 * - entries of one key token link to each other (my purchase of a token and its later resale;
 *   a sale of my listing and the royalties of that token's resales);
 * - a cash-out (`cash`: one `cashBatch`/`cash` transaction) links to the cheque lines it covered,
 *   and each line back to every cash-out that paid on it;
 * - a KeyMarket claim takes everything owed since the claim before, so it links to the sales,
 *   royalties and resales between the two, and they to it; a Chequebook claim likewise links
 *   to the royalties of the cheques cashed on my cards since the one before.
 *
 * Links are symmetric and computed when asked, from what is stored: nothing to keep in step.
 */
import {
  type ActivityEntry,
  chequeLineId,
  type HistoryEntry,
  type ShownEntry,
} from '../../shared/protocol/methods/activity.ts'
import type { PayLine } from '../../shared/protocol/methods/pay.ts'

/** The kinds the history lists (besides the ledger's cheque lines). */
export const MONEY_KINDS = new Set(['sale', 'royalty', 'resale', 'purchase', 'claim', 'cash'])

/** What the KeyMarket's `owed` collects: a claim of it pays these out. */
const CLAIMED_KINDS = new Set(['sale', 'royalty', 'resale'])

type Linkable = { id: string; links: string[] }

function link(a: Linkable, b: Linkable): void {
  if (a.id === b.id) return
  if (!a.links.includes(b.id)) a.links.push(b.id)
  if (!b.links.includes(a.id)) b.links.push(a.id)
}

/** The cheque lines of the pay ledger as history entries. */
function chequeEntries(lines: readonly PayLine[]): HistoryEntry[] {
  return lines.map((l) => ({
    id: chequeLineId(l.side, l),
    kind: 'cheques' as const,
    side: l.side,
    at: l.updatedAt,
    cardId: l.cardId,
    who: l.side === 'sent' ? l.payee : l.payer,
    amount: l.cumulative,
    cashed: l.cashed,
    slices: l.slices,
    links: [],
  }))
}

/** Orders by block (when both have one), then time; the newest first. */
function newestFirst(a: { at: number; block?: number }, b: { at: number; block?: number }) {
  if (a.block !== undefined && b.block !== undefined && a.block !== b.block)
    return b.block - a.block
  return b.at - a.at
}

/**
 * Builds the history from stored entries and ledger lines; see the module comment for links.
 * @example buildHistory(await store.all(), payLines()).slice(0, 100)
 */
export function buildHistory(
  entries: readonly ActivityEntry[],
  lines: readonly PayLine[],
): HistoryEntry[] {
  const money: ShownEntry[] = entries
    .filter((e) => MONEY_KINDS.has(e.kind))
    .map(({ read: _r, ...e }) => ({ ...e, links: [] }))
  const cheques = chequeEntries(lines)
  const byId = new Map<string, Linkable>([...money, ...cheques].map((e) => [e.id, e]))

  const byToken = new Map<string, ShownEntry[]>()
  for (const e of money) {
    if (!e.tokenId) continue
    const same = byToken.get(e.tokenId) ?? []
    for (const other of same) link(e, other)
    same.push(e)
    byToken.set(e.tokenId, same)
  }
  for (const e of money)
    for (const line of e.lines ?? []) {
      const target = byId.get(line)
      if (target) link(e, target)
    }
  // Claims of each contract, oldest first: each takes what that contract owed since the claim
  // before (the Chequebook owes cheque royalties, the KeyMarket sales, resales and royalties).
  const chrono = [...money].sort((a, b) => -newestFirst(a, b))
  const since = { keyMarket: [] as ShownEntry[], chequebook: [] as ShownEntry[] }
  for (const e of chrono) {
    if (CLAIMED_KINDS.has(e.kind) && !e.out)
      since[e.source === 'chequebook' ? 'chequebook' : 'keyMarket'].push(e)
    else if (e.kind === 'claim') {
      const source = e.source === 'chequebook' ? 'chequebook' : 'keyMarket'
      for (const paid of since[source]) link(e, paid)
      since[source] = []
    }
  }
  return [...money, ...cheques].sort(newestFirst)
}
