/**
 * Page↔node RPC methods of the content swarm (src/node/swarm/), declared in the table of
 * src/shared/protocol/rpc.ts; spoken by the page and the node worker.
 */

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
  /** Requests re-issued to another peer: critical ones past their deadline, a stalled wire's. */
  reissued: number
  done: boolean
  /**
   * `hc_pay` messages on this torrent's wires, in bytes with BEP-10's 6-byte framing (terms,
   * hellos, cheques, receipts, rejects; the extended handshake not): what paying cost on the wire.
   */
  payBytes?: { sent: number; received: number } | undefined
}

/** Upload and download rates (bytes/s) averaged over the interval ending at `t` (epoch ms). */
export type SwarmRatePoint = { t: number; up: number; down: number }

/** The node's traffic on every wire (content and previews), for the node page. */
export type SwarmTraffic = {
  /** Bytes sent and received this session. */
  uploaded: number
  downloaded: number
  /** The rates of the last `windowMs`, one point per `sampleMs`, oldest first. */
  points: SwarmRatePoint[]
  sampleMs: number
  windowMs: number
}

export type SwarmMethods = {
  /**
   * Seeds a complete stored item (published here): builds the torrent of its ciphertext
   * (piece length = slice size). `free` returns the content key too, as a free card carries it.
   */
  'swarm.seed': { params: { itemId: string; free?: boolean }; result: SwarmTorrentInfo }
  /** Fetches an item from the swarm (card-shaped: `content` and, for free items, `access`). */
  'swarm.add': { params: SwarmAddParams; result: SwarmTorrentInfo }
  /** Every item the swarm knows, with its state. */
  'swarm.items': { params: undefined; result: SwarmStats[] }
  /** Bytes moved this session and the upload and download rates of the last minutes. */
  'swarm.traffic': { params: undefined; result: SwarmTraffic }
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
}
