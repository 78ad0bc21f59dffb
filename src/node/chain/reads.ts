/**
 * Reads of contract state used by the operations and services (views only, no gas).
 */
import type { Address, Hex } from 'viem'
import { cardRegistryAbi, chequebookAbi, keyMarketAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'
import { decodeChainError } from './errors.ts'

type ReadCtx = Pick<ChainContext, 'publicClient' | 'contracts'>

async function wrap<T>(p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (err) {
    throw decodeChainError(err)
  }
}

/** The creator of a card, or the zero address if it was never posted. */
export function getCreatorOf(ctx: ReadCtx, p: { cardId: Hex }): Promise<Address> {
  return wrap(
    ctx.publicClient.readContract({
      address: ctx.contracts.cardRegistry,
      abi: cardRegistryAbi,
      functionName: 'creatorOf',
      args: [p.cardId],
    }),
  )
}

/** A card's listing (all zero when not listed). */
export function getListing(ctx: ReadCtx, p: { cardId: Hex }) {
  return wrap(
    ctx.publicClient.readContract({
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'listingOf',
      args: [p.cardId],
    }),
  )
}

/** The listing a key token belongs to. */
export function getListingOfToken(ctx: ReadCtx, p: { tokenId: bigint }) {
  return wrap(
    ctx.publicClient.readContract({
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'listingOfToken',
      args: [p.tokenId],
    }),
  )
}

/** Escrow, purchase time, open request and prepaid fees of a key token. */
export function getTokenState(ctx: ReadCtx, p: { tokenId: bigint }) {
  return wrap(
    ctx.publicClient.readContract({
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'tokenState',
      args: [p.tokenId],
    }),
  )
}

/** The owner of a key token; throws `ContractRevertError` (ERC721NonexistentToken) if burned. */
export function getKeyOwner(ctx: ReadCtx, p: { tokenId: bigint }): Promise<Address> {
  return wrap(
    ctx.publicClient.readContract({
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'ownerOf',
      args: [p.tokenId],
    }),
  )
}

/** The resale offer of a token (price 0 when none). */
export function getOffer(ctx: ReadCtx, p: { tokenId: bigint }) {
  return wrap(
    ctx.publicClient.readContract({
      address: ctx.contracts.keyMarket,
      abi: keyMarketAbi,
      functionName: 'offerOf',
      args: [p.tokenId],
    }),
  )
}

/** Wei a contract holds for `account`, to be taken with `claimOwed`. */
export function getOwed(
  ctx: ReadCtx,
  p: { account: Address; from: 'keyMarket' | 'chequebook' },
): Promise<bigint> {
  return wrap(
    p.from === 'keyMarket'
      ? ctx.publicClient.readContract({
          address: ctx.contracts.keyMarket,
          abi: keyMarketAbi,
          functionName: 'owed',
          args: [p.account],
        })
      : ctx.publicClient.readContract({
          address: ctx.contracts.chequebook,
          abi: chequebookAbi,
          functionName: 'owed',
          args: [p.account],
        }),
  )
}

/**
 * A payer's chequebook: balance and any announced withdrawal (`unlockAt` 0 = none), at the
 * latest block or at `blockNumber` (log sync pins a read to the block it has synced to).
 */
export async function getChequebookAccount(
  ctx: ReadCtx,
  p: { payer: Address; blockNumber?: bigint },
): Promise<{ balance: bigint; unlockAt: number; announced: bigint }> {
  const [balance, unlockAt, announced] = await wrap(
    ctx.publicClient.readContract({
      address: ctx.contracts.chequebook,
      abi: chequebookAbi,
      functionName: 'accounts',
      args: [p.payer],
      ...(p.blockNumber === undefined ? {} : { blockNumber: p.blockNumber }),
    }),
  )
  return { balance, unlockAt: Number(unlockAt), announced }
}

/** Wei paid so far on (payer, payee, cardId), at the latest block or at `blockNumber`. */
export function getPaid(
  ctx: ReadCtx,
  p: { payer: Address; payee: Address; cardId: Hex; blockNumber?: bigint },
): Promise<bigint> {
  return wrap(
    ctx.publicClient.readContract({
      address: ctx.contracts.chequebook,
      abi: chequebookAbi,
      functionName: 'paidOf',
      args: [p.payer, p.payee, p.cardId],
      ...(p.blockNumber === undefined ? {} : { blockNumber: p.blockNumber }),
    }),
  )
}
