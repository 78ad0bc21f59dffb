/**
 * RPC handlers of the `keys.*` section of the RPC table (`src/shared/protocol/methods/`) over one
 * {@link KeysService}. Wei amounts cross as decimal strings, token ids as decimal strings, card ids
 * as 0x hex.
 */
import { parseEventLogs } from 'viem'
import { InvalidInputError } from '../../shared/errors/common.ts'
import type { OwnedKey } from '../../shared/protocol/methods/keys.ts'
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { checkCardId } from '../access/cardMap.ts'
import { keyMarketAbi } from '../chain/abi.ts'
import { buyKey } from '../chain/buyKey.ts'
import { buyOfferedKey } from '../chain/buyOfferedKey.ts'
import { listCard } from '../chain/listCard.ts'
import { offerKey } from '../chain/offerKey.ts'
import { getListing, getListingOfToken, getOffer, getTokenState } from '../chain/reads.ts'
import { refundKey } from '../chain/refundKey.ts'
import { requestKey } from '../chain/requestKey.ts'
import { transferKey } from '../chain/transferKey.ts'
import { checkInt } from '../crypto/bytes.ts'
import type { RpcContext } from '../rpc/server.ts'
import { MAX_BPS } from './constants.ts'
import type { KeysService, KeysSession } from './service.ts'
import { creatorSales, isAddressLike, listingInfo, refundDelay } from './wallet.ts'

/** The `keys.*` methods about who may decrypt live with access (src/node/access/handlers.ts). */
type AccessMethod = 'keys.registerCard' | 'keys.access' | 'keys.decrypt'
type KeysMethod = Exclude<Extract<keyof RpcMethods, `keys.${string}`>, AccessMethod>
type Handler<M extends KeysMethod> = (
  params: RpcParams<M>,
  ctx: RpcContext,
) => Promise<RpcResult<M>>
export type KeysHandlers = { [M in KeysMethod]: Handler<M> }

/** Parses a non-negative wei amount given as a decimal string. */
export function parseWei(name: string, value: unknown, max = 2n ** 96n - 1n): bigint {
  if (typeof value !== 'string' || !/^\d{1,30}$/.test(value))
    throw new InvalidInputError(`${name}: expected a decimal amount in wei.`, {
      details: `got ${String(value).slice(0, 40)}`,
    })
  const v = BigInt(value)
  if (v > max) throw new InvalidInputError(`${name}: at most ${max} wei.`)
  return v
}

/** Parses a token id given as a decimal string. */
export function parseTokenId(value: unknown): bigint {
  if (typeof value !== 'string' || !/^\d{1,78}$/.test(value))
    throw new InvalidInputError('tokenId: expected a decimal token id.')
  return BigInt(value)
}

async function library(s: KeysSession): Promise<RpcResult<'keys.library'>> {
  const [tokens, delay, block] = await Promise.all([
    s.owner.tokens(),
    refundDelay(s.chain),
    s.chain.publicClient.getBlock({ blockTag: 'latest' }),
  ])
  const keys: OwnedKey[] = []
  for (const t of tokens) {
    const tokenId = BigInt(t.tokenId)
    const [state, held, offer, listing] = await Promise.all([
      getTokenState(s.chain, { tokenId }),
      s.vault.get(t.cardId),
      getOffer(s.chain, { tokenId }),
      getListingOfToken(s.chain, { tokenId }),
    ])
    keys.push({
      tokenId: t.tokenId,
      cardId: t.cardId,
      state: held?.tokenId === tokenId ? 'ready' : state.pending ? 'pending' : 'none',
      boughtAt: state.boughtAt,
      escrow: state.escrow.toString(),
      refundAt: state.escrow > 0n ? state.boughtAt + delay : null,
      offerPrice: offer.price.toString(),
      transferFee: listing.transferFee.toString(),
    })
  }
  return { chainTime: Number(block.timestamp), keys }
}

async function owned(s: KeysSession): Promise<RpcResult<'keys.owned'>> {
  const [tokens, held] = await Promise.all([s.owner.tokens(), s.vault.entries()])
  type Row = RpcResult<'keys.owned'>['cards'][number]
  const cards = new Map<string, Row>()
  for (const t of tokens) {
    const cardId = t.cardId.toLowerCase() as Row['cardId']
    cards.set(cardId, { cardId, tokenId: t.tokenId, state: 'pending' })
  }
  // A key in the vault wins: its token is the one that counts.
  for (const e of held) {
    const cardId = e.cardId.toLowerCase() as Row['cardId']
    cards.set(cardId, { cardId, tokenId: e.tokenId.toString(), state: 'ready' })
  }
  return { cards: [...cards.values()] }
}

/** The `keys.*` handlers over `service`. */
export function createKeysHandlers(service: KeysService): KeysHandlers {
  const session = () => service.require()
  return {
    'keys.list': async (p, { signal, confirm }) => {
      const s = await session()
      const cardId = checkCardId(p.cardId)
      checkInt('supply', p.supply, 0, 2 ** 32 - 1)
      checkInt('royaltyBps', p.royaltyBps, 0, MAX_BPS)
      if (p.keyAgent !== undefined && !isAddressLike(p.keyAgent))
        throw new InvalidInputError('keyAgent: expected an EVM address.')
      const res = await listCard(s.chain, {
        cardId,
        price: parseWei('price', p.price),
        supply: p.supply,
        royaltyBps: p.royaltyBps,
        transferFee: parseWei('transferFee', p.transferFee),
        keyAgent: p.keyAgent ?? s.chain.account.address,
        signal,
        confirm,
      })
      const [listed] = parseEventLogs({
        abi: keyMarketAbi,
        logs: res.receipt.logs,
        eventName: 'Listed',
      })
      return { hash: res.hash, listingId: (listed?.args.listingId ?? 0n).toString() }
    },
    'keys.listing': async (p) => {
      const s = await session()
      const cardId = checkCardId(p.cardId)
      const [l, id] = await Promise.all([
        getListing(s.chain, { cardId }),
        s.chain.publicClient.readContract({
          address: s.chain.contracts.keyMarket,
          abi: keyMarketAbi,
          functionName: 'listingIdOf',
          args: [cardId],
        }),
      ])
      return id === 0n ? null : listingInfo(l, id)
    },
    'keys.buy': async (p, { signal, confirm }) => {
      const s = await session()
      const cardId = checkCardId(p.cardId)
      const res = await buyKey(s.chain, { cardId, wrapPub: s.wrapPublic, signal, confirm })
      await s.owner.track(res.tokenId, cardId)
      return { hash: res.hash, tokenId: res.tokenId.toString() }
    },
    'keys.library': async () => library(await session()),
    'keys.owned': async () => owned(await session()),
    'keys.refund': async (p, { signal, confirm }) => {
      const s = await session()
      return {
        hash: (await refundKey(s.chain, { tokenId: parseTokenId(p.tokenId), signal, confirm }))
          .hash,
      }
    },
    'keys.transfer': async (p, { signal, confirm }) => {
      const s = await session()
      if (!isAddressLike(p.to)) throw new InvalidInputError('to: expected an EVM address.')
      const res = await transferKey(s.chain, {
        tokenId: parseTokenId(p.tokenId),
        to: p.to,
        signal,
        confirm,
      })
      return { hash: res.hash }
    },
    'keys.offer': async (p, { signal, confirm }) => {
      const s = await session()
      const price = parseWei('price', p.price)
      return {
        hash: (
          await offerKey(s.chain, { tokenId: parseTokenId(p.tokenId), price, signal, confirm })
        ).hash,
      }
    },
    'keys.buyOffered': async (p, { signal, confirm }) => {
      const s = await session()
      const tokenId = parseTokenId(p.tokenId)
      const res = await buyOfferedKey(s.chain, { tokenId, wrapPub: s.wrapPublic, signal, confirm })
      const { cardId } = await getListingOfToken(s.chain, { tokenId })
      await s.owner.track(tokenId, cardId)
      return { hash: res.hash }
    },
    'keys.requestKey': async (p, { signal, confirm }) => {
      const s = await session()
      const tokenId = parseTokenId(p.tokenId)
      return {
        hash: (await requestKey(s.chain, { tokenId, wrapPub: s.wrapPublic, signal, confirm })).hash,
      }
    },
    'keys.sales': async () => creatorSales(await session()),
  }
}
