/**
 * Page↔node RPC methods of the key market (src/node/keys/), declared in the table of
 * src/shared/protocol/rpc.ts; spoken by the page and the node worker.
 */

/** A KeyMarket listing (wei as decimal strings). */
export type KeyListing = {
  cardId: `0x${string}`
  listingId: string
  creator: `0x${string}`
  price: string
  supply: number
  minted: number
  refunded: number
  royaltyBps: number
  transferFee: string
  keyAgent: `0x${string}`
}

/** A key token this identity holds. Times are chain seconds. */
export type OwnedKey = {
  tokenId: string
  cardId: `0x${string}`
  /** `ready`: the key is in the vault; `pending`: a request awaits delivery; `none`: neither. */
  state: 'ready' | 'pending' | 'none'
  boughtAt: number
  /** Undelivered escrow in wei ("0" once delivered). */
  escrow: string
  /** When a refund becomes possible (escrow held), else null. */
  refundAt: number | null
  /** This owner's resale offer in wei ("0": none). */
  offerPrice: string
  transferFee: string
}

/** What a creator sees about its listings. */
export type CreatorSales = {
  listings: (KeyListing & { sold: number })[]
  /** Requests to this node's agent not served yet, with the reason. */
  owed: { tokenId: string; cardId: `0x${string}`; reason: string }[]
  delivered: number
  /** Claimable now, in wei. */
  claimable: string
  /** Claimed so far, in wei. */
  claimed: string
}

export type KeysMethods = {
  /**
   * Lists a posted card in the KeyMarket (creator only, once). Wei amounts are decimal strings.
   * `keyAgent` defaults to this node's account (its key agent delivers while a tab is open).
   */
  'keys.list': {
    params: {
      cardId: `0x${string}`
      price: string
      supply: number
      royaltyBps: number
      transferFee: string
      keyAgent?: `0x${string}`
    }
    result: { hash: `0x${string}`; listingId: string }
  }
  /**
   * Tells the keys service where a card's content salt is: a stored item (`itemId`, from
   * `store.publishFile`) on the creator's node, or the card's `contentSalt` (hex) on a buyer's.
   */
  'keys.registerCard': {
    params: { cardId: `0x${string}`; itemId?: string; contentSalt?: string }
    result: undefined
  }
  /** A card's listing, or null when it is not listed. */
  'keys.listing': { params: { cardId: `0x${string}` }; result: KeyListing | null }
  /** Buys a key with this node's wrap key; the key arrives later (`keys.update` change 'key'). */
  'keys.buy': {
    params: { cardId: `0x${string}` }
    result: { hash: `0x${string}`; tokenId: string }
  }
  /**
   * The cards this identity holds a key token for, from the node's own records (no chain
   * reads, cheap enough for every feed): `ready` once the content key is in the vault,
   * `pending` while it has not arrived.
   */
  'keys.owned': {
    params: undefined
    result: { cards: { cardId: `0x${string}`; tokenId: string; state: 'ready' | 'pending' }[] }
  }
  /** The key tokens this identity holds, with delivery state and refund timing. */
  'keys.library': { params: undefined; result: { chainTime: number; keys: OwnedKey[] } }
  /** Whether this identity can decrypt a card: holds its key, or created it. */
  'keys.access': {
    params: { cardId: `0x${string}` }
    result: { access: 'creator' | 'owner' | 'none'; tokenId?: string }
  }
  /** Burns an undelivered key after the delivery timeout and takes the price back. */
  'keys.refund': { params: { tokenId: string }; result: { hash: `0x${string}` } }
  /** Gives a key to `to`, paying the listing's transfer fee (`transferWithFee`). */
  'keys.transfer': {
    params: { tokenId: string; to: `0x${string}` }
    result: { hash: `0x${string}` }
  }
  /** Offers a key for resale at a fixed price in wei ("0" withdraws the offer). */
  'keys.offer': { params: { tokenId: string; price: string }; result: { hash: `0x${string}` } }
  /** Buys an offered key (price + transfer fee); the key is requested for this node. */
  'keys.buyOffered': { params: { tokenId: string }; result: { hash: `0x${string}` } }
  /** Asks the key agent again for a key this identity owns. */
  'keys.requestKey': { params: { tokenId: string }; result: { hash: `0x${string}` } }
  /**
   * Decrypts one ciphertext slice of a card with this node's key for it (the vault's, or the
   * creator's own); `NoContentKeyError` without one. The salt comes from `keys.registerCard`.
   */
  'keys.decrypt': {
    params: { cardId: `0x${string}`; index: number; last: boolean; ciphertext: Uint8Array }
    result: Uint8Array
  }
  /** For creators: listings, sales, deliveries owed, revenue. */
  'keys.sales': { params: undefined; result: CreatorSales }
}
