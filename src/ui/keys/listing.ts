/**
 * Validation of the listing fields of a paid card (DESIGN §2 `access`, §3 `list`): what the
 * person types (ether amounts, a royalty in percent) becomes the `keys.list` parameters (wei as
 * decimal strings, basis points) or one message per bad field.
 */
import { parseEther } from 'viem'
import type { RpcParams } from '../../shared/protocol/rpc.ts'

/** What the form holds, as typed. */
export type ListingInput = {
  /** Price in ETH, e.g. "0.01". */
  price: string
  /** Keys that may exist at once; "0" or "" = unlimited. */
  supply: string
  /** Resale royalty in percent, e.g. "5" or "2.5". */
  royaltyPct: string
  /** Transfer fee in ETH. */
  transferFee: string
  /** `self`: this node delivers keys; `delegate`: the address in `delegate`. */
  agent: 'self' | 'delegate'
  delegate: string
}

/** The listing terms to pass to `keys.list` (without `cardId`). */
export type ListingTerms = Omit<RpcParams<'keys.list'>, 'cardId'>

export type ListingCheck =
  | { ok: true; terms: ListingTerms; errors: Record<string, never> }
  | { ok: false; terms: null; errors: Partial<Record<keyof ListingInput, string>> }

export const DEFAULT_LISTING: ListingInput = {
  price: '0.01',
  supply: '0',
  royaltyPct: '5',
  transferFee: '0',
  agent: 'self',
  delegate: '',
}

const MAX_UINT96 = 2n ** 96n - 1n
const decimal = /^\d+(\.\d{1,18})?$/

function ether(value: string, field: string, errors: ListingCheck['errors'], positive = false) {
  const v = value.trim()
  if (!decimal.test(v)) {
    ;(errors as Record<string, string>)[field] = 'Enter an amount in ETH, e.g. 0.01.'
    return 0n
  }
  const wei = parseEther(v)
  if (wei > MAX_UINT96) (errors as Record<string, string>)[field] = 'That amount is too large.'
  else if (positive && wei === 0n)
    (errors as Record<string, string>)[field] = 'A paid card needs a price above 0.'
  return wei
}

/**
 * Checks the typed fields and converts them.
 * @example const c = checkListing({ ...DEFAULT_LISTING, price: '0.02' }); if (c.ok) rpc.spend('keys.list', { cardId, ...c.terms }, { what })
 */
export function checkListing(input: ListingInput): ListingCheck {
  const errors: Partial<Record<keyof ListingInput, string>> = {}
  const price = ether(input.price, 'price', errors, true)
  const transferFee = ether(input.transferFee, 'transferFee', errors)
  const supplyText = input.supply.trim() || '0'
  const supply = /^\d{1,10}$/.test(supplyText) ? Number(supplyText) : Number.NaN
  if (!Number.isInteger(supply) || supply > 2 ** 32 - 1)
    errors.supply = 'Enter a whole number of keys (0 = unlimited).'
  const pct = input.royaltyPct.trim() || '0'
  const bps = /^\d{1,3}(\.\d{1,2})?$/.test(pct) ? Math.round(Number(pct) * 100) : Number.NaN
  if (!Number.isInteger(bps) || bps > 10_000) errors.royaltyPct = 'Enter 0 to 100 (%).'
  const delegate = input.delegate.trim()
  if (input.agent === 'delegate' && !/^0x[0-9a-fA-F]{40}$/.test(delegate))
    errors.delegate = 'Enter the delegate’s address (0x and 40 hex digits).'
  if (Object.keys(errors).length > 0) return { ok: false, terms: null, errors }
  const terms: ListingTerms = {
    price: price.toString(),
    supply,
    royaltyBps: bps,
    transferFee: transferFee.toString(),
  }
  if (input.agent === 'delegate') terms.keyAgent = delegate as `0x${string}`
  return { ok: true, terms, errors: {} }
}
