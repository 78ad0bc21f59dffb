/**
 * Card and view gossip (DESIGN §2): a card is gossiped on `hashcard/cards/v1` at once, with
 * an EIP-712 signature by its creator, so peers show it before it is mined; a view is a signed
 * receipt on `hashcard/views/v1`, counted once per account. Messages are JSON, at most
 * {@link MAX_GOSSIP_BYTES}, and every field is checked before use.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { type Account, type Address, isAddress, recoverTypedDataAddress } from 'viem'
import { type Card, cardIdOf, decodeCard, type Hex } from '../../shared/card/card.ts'
import { CardCodecError } from '../../shared/errors/card.ts'
import { MAX_GOSSIP_BYTES } from '../../shared/topics.ts'

/** The EIP-712 domain: the app, bound to the chain and the CardRegistry. */
export function feedDomain(chainId: number, cardRegistry: Address) {
  return { name: 'Hashcard', version: '1', chainId, verifyingContract: cardRegistry } as const
}

const CARD_TYPES = { Card: [{ name: 'cardId', type: 'bytes32' }] } as const
const VIEW_TYPES = {
  View: [
    { name: 'cardId', type: 'bytes32' },
    { name: 'at', type: 'uint64' },
  ],
} as const

export type Domain = ReturnType<typeof feedDomain>

/** A card as gossiped: its bytes, its creator and the creator's signature over its id. */
export type CardGossip = { v: 1; card: Hex; creator: Address; sig: Hex }
/** A view receipt. `at` is unix seconds. */
export type ViewGossip = { v: 1; cardId: Hex; viewer: Address; at: number; sig: Hex }

const isHex = (s: unknown, bytes?: number): s is Hex =>
  typeof s === 'string' &&
  /^0x([0-9a-fA-F]{2})*$/.test(s) &&
  (bytes === undefined || s.length === 2 + bytes * 2)

function parseJson(data: string): Record<string, unknown> {
  if (data.length > MAX_GOSSIP_BYTES)
    throw new CardCodecError('The gossip message is too large.', {
      details: `${data.length} chars`,
    })
  let v: unknown
  try {
    v = JSON.parse(data)
  } catch {
    throw new CardCodecError('The gossip message is not JSON.')
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || (v as { v?: unknown }).v !== 1)
    throw new CardCodecError('The gossip message is not a v1 object.')
  return v as Record<string, unknown>
}

/** Signs a card for gossip; returns the message text. */
export async function signCardGossip(
  account: Account,
  domain: Domain,
  bytes: Uint8Array,
): Promise<string> {
  if (!account.signTypedData) throw new TypeError('account: cannot sign typed data')
  const cardId = cardIdOf(bytes)
  const sig = await account.signTypedData({
    domain,
    types: CARD_TYPES,
    primaryType: 'Card',
    message: { cardId },
  })
  const msg: CardGossip = { v: 1, card: `0x${bytesToHex(bytes)}`, creator: account.address, sig }
  return JSON.stringify(msg)
}

/**
 * Parses and verifies a gossiped card: size, JSON shape, card codec, and that the signature
 * recovers to the claimed creator. Throws {@link CardCodecError} with the reason.
 */
export async function verifyCardGossip(
  domain: Domain,
  data: string,
): Promise<{ id: Hex; bytes: Uint8Array; card: Card; creator: Address }> {
  const m = parseJson(data)
  if (!isHex(m.card) || !isHex(m.sig, 65) || typeof m.creator !== 'string' || !isAddress(m.creator))
    throw new CardCodecError('The gossiped card is malformed.')
  const bytes = hexToBytes(m.card.slice(2))
  const card = decodeCard(bytes)
  const id = cardIdOf(bytes)
  const signer = await recoverTypedDataAddress({
    domain,
    types: CARD_TYPES,
    primaryType: 'Card',
    message: { cardId: id },
    signature: m.sig,
  }).catch(() => null)
  if (signer?.toLowerCase() !== m.creator.toLowerCase())
    throw new CardCodecError('The gossiped card is not signed by its creator.')
  return { id, bytes, card, creator: m.creator.toLowerCase() as Address }
}

/** Signs a view receipt. */
export async function signViewGossip(
  account: Account,
  domain: Domain,
  cardId: Hex,
  at: number,
): Promise<string> {
  if (!account.signTypedData) throw new TypeError('account: cannot sign typed data')
  const sig = await account.signTypedData({
    domain,
    types: VIEW_TYPES,
    primaryType: 'View',
    message: { cardId, at: BigInt(at) },
  })
  const msg: ViewGossip = { v: 1, cardId, viewer: account.address, at, sig }
  return JSON.stringify(msg)
}

/** Parses and verifies a view receipt; throws {@link CardCodecError}. */
export async function verifyViewGossip(domain: Domain, data: string): Promise<ViewGossip> {
  const m = parseJson(data)
  if (
    !isHex(m.cardId, 32) ||
    !isHex(m.sig, 65) ||
    typeof m.viewer !== 'string' ||
    !isAddress(m.viewer) ||
    typeof m.at !== 'number' ||
    !Number.isSafeInteger(m.at) ||
    m.at < 0
  )
    throw new CardCodecError('The view receipt is malformed.')
  const signer = await recoverTypedDataAddress({
    domain,
    types: VIEW_TYPES,
    primaryType: 'View',
    message: { cardId: m.cardId, at: BigInt(m.at) },
    signature: m.sig,
  }).catch(() => null)
  if (signer?.toLowerCase() !== m.viewer.toLowerCase())
    throw new CardCodecError('The view receipt is not signed by its viewer.')
  return {
    v: 1,
    cardId: m.cardId.toLowerCase() as Hex,
    viewer: m.viewer.toLowerCase() as Address,
    at: m.at,
    sig: m.sig,
  }
}
