/**
 * The one protocol between the UI (page) and the node worker. Every method is declared in
 * {@link RpcMethods}; {@link RpcRequest} and {@link RpcReply} are the discriminated unions
 * that cross `postMessage`. Requests carry ids; an `abort` message cancels one; errors cross
 * as {@link SerializedError} and are rebuilt into the `BaseError` family on arrival.
 */
import type { CardDraft } from './card/draft.ts'
import type { FeedCard, FeedPage, FeedQuery } from './card/feed.ts'
import type { SerializedError } from './errors/wire.ts'

/**
 * A recovery phrase drawn by the worker (src/node/crypto/phraseImage.ts): its words never reach
 * the page as text (DESIGN §6). `width`/`height` are CSS pixels; the bitmap is `scale`× that.
 */
export type PhraseImage = { image: ImageBitmap; words: number; width: number; height: number }

/** What the UI shows about the node: its peer id, the relay and connected peers. */
export type NodeStatus = {
  peerId: string
  relay: {
    state: 'connecting' | 'connected' | 'offline'
    addr?: string | undefined
    reservation?: string | undefined
  }
  peers: PeerInfo[]
  listenAddrs: string[]
}

export type PeerInfo = {
  peerId: string
  /** Multiaddr of the open connection; contains `/webrtc` (direct) or `/p2p-circuit` (relayed). */
  addr: string
  direct: boolean
  /** True for the relay itself. */
  relay: boolean
}

export type GossipMessage = { topic: string; from: string; data: string; receivedAt: number }

/**
 * Method name → params and result. Each domain owns its section; keep names `domain.verb`.
 */
export type RpcMethods = {
  // --- node (foundation) ---
  'node.status': { params: undefined; result: NodeStatus }
  'node.publishGossip': { params: { topic: string; data: string }; result: { recipients: number } }
  'node.subscribe': { params: { topic: string }; result: undefined }
  'node.dial': { params: { peerId: string }; result: PeerInfo }
  // --- identity / store (content core) ---
  /** Whether this profile has an identity, and its public parts. */
  'identity.state': {
    params: undefined
    result:
      | { state: 'none' }
      | { state: 'ready'; address: `0x${string}`; peerId: string; wrapPublic: string }
  }
  /**
   * A new random mnemonic, held in the worker until `identity.confirm` (not stored yet); the
   * page gets it drawn as an image only. `scale`: the page's devicePixelRatio.
   */
  'identity.create': {
    params: { words?: 12 | 24; scale?: number }
    result: { phrase: PhraseImage; address: `0x${string}` }
  }
  /**
   * Checks words of the pending mnemonic (1-based positions), then stores the identity; or,
   * with `later`, stores it unchecked (the person backs it up later from the backup page).
   */
  'identity.confirm': {
    params: { words: { position: number; word: string }[] } | { later: true }
    result: { address: `0x${string}`; peerId: string; wrapPublic: string }
  }
  /** Restores from a mnemonic; MnemonicError names the unknown word or the failed checksum. */
  'identity.restore': {
    params: { mnemonic: string; replace?: boolean }
    result: { address: `0x${string}`; peerId: string; wrapPublic: string }
  }
  /** Restores from a backup file's text; BackupFormatError or WrongPassphraseError. */
  'identity.importBackup': {
    params: { text: string; passphrase: string; replace?: boolean }
    result: { address: `0x${string}`; peerId: string; wrapPublic: string }
  }
  /** The stored mnemonic drawn as an image, for the person to write down (the UI warns first). */
  'identity.showPhrase': { params: { scale?: number }; result: { phrase: PhraseImage } }
  /** A passphrase-encrypted backup file (scrypt + AES-256-GCM, JSON). */
  'identity.exportBackup': {
    params: { passphrase: string }
    result: { fileName: string; text: string }
  }
  /** Storage use and quota (`navigator.storage.estimate()`), and whether storage is persistent. */
  'store.estimate': {
    params: undefined
    result: { usage: number; quota: number; storeBytes: number; persisted: boolean }
  }
  /** Asks for persistent storage (`navigator.storage.persist()`). */
  'store.persist': { params: undefined; result: { persisted: boolean } }
  /** Encrypts and stores a file (DESIGN §4.1); QuotaExceededError before any work if it cannot fit. */
  'store.publishFile': {
    params: { file: Blob; name?: string; mime?: string; sliceSize?: number; resumeId?: string }
    result: {
      id: string
      size: number
      sliceSize: number
      count: number
      cipherSize: number
      /** Hex, 16 bytes. */
      contentSalt: string
      /** Hex, 32 bytes (merkle.ts). */
      contentRoot: string
    }
  }
  /** Every stored item with how many of its slices are present. */
  'store.items': {
    params: undefined
    result: {
      id: string
      name?: string | undefined
      mime?: string | undefined
      size: number
      count: number
      present: number
      state: 'publishing' | 'partial' | 'complete'
      contentRoot: string | null
    }[]
  }
  /** Decrypted bytes [start, end) of one of this identity's own items (small ranges). */
  'store.read': {
    params: { id: string; start: number; end: number }
    result: Uint8Array
  }
  /** Deletes an item and its file. */
  'store.remove': { params: { id: string }; result: undefined }
  // --- chain (contracts) ---
  // --- swarm / streaming ---
  /**
   * Seeds a complete stored item (published here): builds the torrent of its ciphertext
   * (piece length = slice size). `free` returns the content key too, as a free card carries it.
   */
  'swarm.seed': { params: { itemId: string; free?: boolean }; result: SwarmTorrentInfo }
  /** Fetches an item from the swarm (card-shaped: `content` and, for free items, `access`). */
  'swarm.add': { params: SwarmAddParams; result: SwarmTorrentInfo }
  /** Every item the swarm knows, with its state. */
  'swarm.items': { params: undefined; result: SwarmStats[] }
  /** One item's slice map, peers and rates (by item id or infoHash). */
  'swarm.status': { params: { id: string }; result: SwarmStats }
  /** Moves the deadline window to the player's position (seconds, with the media duration). */
  'swarm.playhead': {
    params: { id: string; time: number; duration: number }
    result: undefined
  }
  /**
   * Test hooks, dev chains only: `tamper` corrupts every block this node serves;
   * `uploadLimit` caps its upload rate (bytes/s, -1 = none).
   */
  'swarm.debug': { params: { tamper?: boolean; uploadLimit?: number }; result: undefined }
  // --- previews (unencrypted preview torrents; src/node/swarm/previews.ts) ---
  /**
   * Seeds a preview torrent of files the page made (names from previewFormat.ts, ≤ 4 MiB);
   * `unchecked` skips the format checks, dev chains only (bad-input tests).
   */
  'preview.seed': {
    params: { files: PreviewFileInput[]; unchecked?: boolean | undefined }
    result: { infoHash: string; length: number }
  }
  /**
   * A preview's files, stored or fetched from the swarm and then seeded; rejects with
   * PreviewTooLargeError / PreviewMismatchError (refused) or PreviewUnavailableError (no peer in
   * `timeoutMs`).
   */
  'preview.get': {
    params: { infoHash: string; timeoutMs?: number | undefined }
    result: { infoHash: string; files: PreviewFileData[] }
  }
  /** Every preview this node holds, fetches or refused (with the reason). */
  'preview.items': { params: undefined; result: PreviewItem[] }
  // --- feed / cards ---
  /** One page of a lens, a creator's cards (`creator`) or a card's comments (`parent`). */
  'feed.query': { params: FeedQuery; result: FeedPage }
  /** Full-text search over titles, text, excerpts and `#tags`. */
  'feed.search': { params: { q: string; limit?: number }; result: FeedCard[] }
  /** One card; fetched from the chain when this node has not indexed it yet (share links). */
  'feed.card': { params: { id: string }; result: FeedCard | null }
  /** A creator's profile counts, and whether this identity follows them. */
  'feed.profile': {
    params: { address: string }
    result: { address: `0x${string}`; followers: number; following: number; followedByMe: boolean }
  }
  /** Store (encrypt) the file if any → sign and gossip the card → post it → list it if paid. */
  'feed.publish': {
    params: {
      jobId: string
      draft: CardDraft
      file?: Blob | undefined
      /** The real preview (page-made), seeded as the card's preview torrent (`pv.ih`). */
      previewFiles?: PreviewFileInput[] | undefined
    }
    result: { cardId: `0x${string}`; hash: `0x${string}`; bytes: number }
  }
  'feed.react': { params: { id: string; kind?: number }; result: undefined }
  'feed.follow': { params: { address: string; follow: boolean }; result: undefined }
  /** Signs and gossips a view receipt (counted once per account). */
  'feed.view': { params: { id: string }; result: undefined }
  /** This identity's address and balance in wei (decimal). */
  'feed.account': { params: undefined; result: { address: `0x${string}`; balance: string } }
  /** Sync position and recently skipped (malformed) on-chain cards. */
  'feed.status': {
    params: undefined
    result: { syncedTo: number; skipped: { cardId: string; block: number; reason: string }[] }
  }
  /** Drops the index and re-reads everything from the chain. */
  'feed.reset': { params: undefined; result: undefined }
  // --- keys / wallet ---
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
  /** The account, its balance and what the KeyMarket owes it; null without a chain. */
  'wallet.state': { params: undefined; result: WalletState | null }
  /**
   * Uses the page's EIP-1193 wallet for on-chain actions: `signature` is its `personal_sign` of
   * the fixed message `EXTERNAL_WRAP_MESSAGE` (src/node/keys/external.ts), which also derives
   * the wrap key. The worker then sends `keys.walletRequest` events the page answers.
   */
  'wallet.useExternal': {
    params: { address: `0x${string}`; signature: `0x${string}` }
    result: { wrapPublic: `0x${string}` }
  }
  /**
   * After a reload: the page found the remembered wallet `address` (`eth_accounts`, no
   * signature) and answers its requests again. ExternalWalletError for another address.
   */
  'wallet.attach': { params: { address: `0x${string}` }; result: undefined }
  /** Back to the identity's embedded account; forgets the wallet choice. */
  'wallet.useEmbedded': { params: undefined; result: undefined }
  /** The page's answer to a `keys.walletRequest` (`error`: the wallet's message). */
  'wallet.reply': {
    params: { id: number; result?: unknown; error?: string }
    result: undefined
  }
  /** Takes everything the KeyMarket owes this account (`claim()`). */
  'wallet.claim': { params: undefined; result: { hash: `0x${string}`; amount: string } }
}

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

export type WalletState = {
  address: `0x${string}`
  chainId: number
  balance: string
  /** The KeyMarket's `owed` for this account. */
  owed: string
  /** The relay's faucet is available (chain 31337). */
  faucet: boolean
  /** The KeyMarket's refund delay in seconds (DELIVERY_TIMEOUT). */
  refundDelay: number
  /** On-chain actions go through the page's EIP-1193 wallet (remembered across reloads). */
  external: boolean
  /** The page answers that wallet's requests (false after a reload, until it found it again). */
  attached: boolean
}

/** What a card's `content` says about an item (DESIGN §2), as the swarm needs it. */
export type SwarmContent = {
  infoHash: string
  contentRoot?: string | undefined
  name?: string | undefined
  mime?: string | undefined
  size: number
  sliceSize: number
  /** Hex, 16 bytes. */
  contentSalt: string
}

export type SwarmAddParams = {
  content: SwarmContent
  /** `free`: the content key inline (hex, 32 bytes). Paid access arrives with the keys issue. */
  access?: { kind: 'free'; key: string } | undefined
  /** Extra trackers or a magnet's `tr=`; the relay's tracker is always used. */
  magnet?: string | undefined
  /**
   * The card this item is for: `/c/<cardId>` then streams it, and for a paid card the content
   * key comes from the keys service (the vault's, after a purchase).
   */
  cardId?: string | undefined
}

export type SwarmTorrentInfo = {
  itemId: string
  infoHash: string
  magnet: string
  content: SwarmContent
  /** Present for `swarm.seed({ free: true })`: the key a free card carries. */
  key?: string | undefined
}

export type SwarmPeer = {
  peerId: string
  downloadSpeed: number
  uploadSpeed: number
  downloaded: number
  uploaded: number
  /** Our block requests to the peer not answered yet. */
  requests: number
  /** The peer's block requests to us not served yet. */
  peerRequests: number
}

/** One item in the swarm: the slice map (have / in flight / missing), peers and rates. */
export type SwarmStats = {
  itemId: string
  infoHash: string
  name?: string | undefined
  mime?: string | undefined
  size: number
  count: number
  /** Verified slices, one bit per slice (MSB first). */
  have: Uint8Array
  present: number
  inflight: number[]
  peers: SwarmPeer[]
  banned: string[]
  /** Bytes per second. */
  downloadSpeed: number
  uploadSpeed: number
  /** Verified bytes held (this session's and earlier ones'). */
  downloaded: number
  /** Bytes received from peers in this session (duplicates and failed pieces included). */
  received: number
  uploaded: number
  /** Critical requests re-issued to another peer after their deadline. */
  reissued: number
  done: boolean
}

/** A preview file the page made (a name from src/node/swarm/previewFormat.ts). */
export type PreviewFileInput = { name: string; bytes: Uint8Array }
export type PreviewFileData = { name: string; mime: string; bytes: Uint8Array }

export type PreviewItem = {
  /** Hex, 20 bytes, no 0x. */
  infoHash: string
  origin: 'own' | 'peer'
  state: 'fetching' | 'complete' | 'refused'
  length?: number | undefined
  files?: { name: string; offset: number; length: number }[] | undefined
  /** Peers connected for this preview now. */
  peers: number
  /** Why it was refused: the error's name and message. */
  reason?: { name: string; message: string } | undefined
}

export type RpcMethod = keyof RpcMethods
export type RpcParams<M extends RpcMethod> = RpcMethods[M]['params']
export type RpcResult<M extends RpcMethod> = RpcMethods[M]['result']

/**
 * Events the node pushes to every page without a request. Domains add their kinds at the end,
 * each prefixed with the domain (`swarm.progress`, `feed.card`, …).
 */
export type NodeEvent =
  | { kind: 'status'; status: NodeStatus }
  | { kind: 'gossip'; message: GossipMessage }
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { kind: 'swarm.stats'; stats: SwarmStats }
  | { kind: 'swarm.banned'; infoHash: string; peerId: string }
  | { kind: 'feed.cards'; cards: FeedCard[] }
  /** Follows of these creators changed (their follower counts, who follows them). */
  | { kind: 'feed.follows'; creators: `0x${string}`[] }
  | {
      kind: 'feed.publish'
      jobId: string
      stage: 'store' | 'seed' | 'sign' | 'post' | 'list' | 'done'
      done: number
      total: number
    }
  | {
      kind: 'keys.update'
      tokenId: string
      cardId: string
      change: 'received' | 'key' | 'requested' | 'gone'
    }
  | {
      kind: 'keys.agent'
      tokenId: string
      cardId: string
      outcome: 'delivered' | 'not-pending' | 'past-owner' | 'burned' | 'unknown-card'
    }
  /** The worker asks the page's EIP-1193 wallet; answer with `wallet.reply`. */
  | { kind: 'keys.walletRequest'; id: number; method: string; params: unknown[] }

export type RpcRequest = {
  [M in RpcMethod]: { type: 'request'; id: number; method: M; params: RpcParams<M> }
}[RpcMethod]

export type RpcAbort = { type: 'abort'; id: number }

export type RpcReply =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'event'; event: NodeEvent }

export type ToNode = RpcRequest | RpcAbort
export type FromNode = RpcReply
