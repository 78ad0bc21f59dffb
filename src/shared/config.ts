/**
 * Runtime configuration the relay serves at `/config.json`: where the chain is, which
 * contracts to talk to, and how to reach the relay and its tracker. The app is built once and
 * reads this at start, so one build serves any chain, port or deployment.
 */
export type ChainConfig = {
  chainId: number
  rpcUrl: string
  contracts: { cardRegistry: `0x${string}`; keyMarket: `0x${string}`; chequebook: `0x${string}` }
  deployBlock: number
}

export type RelayInfo = {
  peerId: string
  /** Multiaddrs a browser dials (`/ws`), each ending in `/p2p/<peerId>`. */
  multiaddrs: string[]
  /** WebSocket BitTorrent tracker for WebRTC signalling. */
  tracker: string
  /**
   * The relay's TURN server, with credentials valid for a day (issued per `/config.json`
   * request): privacy mode sends all WebRTC through it. Absent: the relay has none, and
   * privacy mode cannot be turned on.
   */
  turn?: TurnInfo
}

/**
 * An ICE server entry as `RTCConfiguration.iceServers` takes it, and how long its credentials
 * stay valid from receipt (`ttlSeconds`): the node refreshes them before that
 * (src/node/net/turnCredentials.ts).
 */
export type TurnInfo = { urls: string[]; username: string; credential: string; ttlSeconds?: number }

export type AppConfig = {
  v: 1
  chain: ChainConfig | null
  relay: RelayInfo
  /**
   * True on a development chain (31337): permissive dialing, and the relay's faucet —
   * `POST /faucet {"address":"0x…"}` sends 10 ETH.
   */
  dev: boolean
}

const hex = /^0x[0-9a-fA-F]{40}$/

/** Checks a parsed `/config.json`; throws a readable error naming the bad field. */
export function parseAppConfig(value: unknown): AppConfig {
  const fail = (field: string): never => {
    throw new TypeError(`config.json: "${field}" is missing or malformed`)
  }
  if (typeof value !== 'object' || value === null) return fail('(root)')
  const v = value as Record<string, unknown>
  if (v.v !== 1) fail('v')
  const relay = v.relay as Record<string, unknown> | undefined
  if (!relay || typeof relay.peerId !== 'string') fail('relay.peerId')
  if (!Array.isArray(relay?.multiaddrs) || !relay.multiaddrs.every((a) => typeof a === 'string'))
    fail('relay.multiaddrs')
  if (typeof relay?.tracker !== 'string') fail('relay.tracker')
  if (relay?.turn !== undefined) {
    const t = relay.turn as Record<string, unknown> | null
    const urls = t?.urls
    if (!Array.isArray(urls) || urls.length === 0 || !urls.every((u) => /^turns?:/.test(String(u))))
      fail('relay.turn.urls')
    if (typeof t?.username !== 'string') fail('relay.turn.username')
    if (typeof t?.credential !== 'string') fail('relay.turn.credential')
    const ttl = t?.ttlSeconds
    if (ttl !== undefined && !(typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0))
      fail('relay.turn.ttlSeconds')
  }
  const chain = v.chain as Record<string, unknown> | null | undefined
  if (chain !== null) {
    if (!chain || typeof chain.chainId !== 'number') fail('chain.chainId')
    if (typeof chain?.rpcUrl !== 'string') fail('chain.rpcUrl')
    const c = chain?.contracts as Record<string, unknown> | undefined
    for (const k of ['cardRegistry', 'keyMarket', 'chequebook'])
      if (typeof c?.[k] !== 'string' || !hex.test(c[k] as string)) fail(`chain.contracts.${k}`)
  }
  return value as AppConfig
}
