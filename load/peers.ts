import { randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { WebSocket as WsSocket } from 'ws'
import { GOSSIPSUB_OPTIONS } from '../src/node/net/constants.ts'
import { ALL_TOPICS } from '../src/shared/topics.ts'

/**
 * Node stand-ins for tabs and attackers in the relay's load test: libp2p peers with the tab's
 * gossipsub settings (src/node/net/libp2p.ts) that reach the relay over websockets only, and
 * raw WebSocket tracker clients. Each connection leaves from its own loopback address
 * (127.0.0.2 and up), as peers from many hosts would, so the per-IP limits see a botnet
 * rather than one host.
 */

let nextLocal = 0
/** Loopback addresses the next connections leave from, in turn: 127.0.0.(first + i mod hosts). */
let hosts = 1
let first = 2
const takeLocalAddress = () => `127.0.0.${first + (nextLocal++ % hosts)}`

/**
 * `globalThis.WebSocket` for @libp2p/websockets's dialler (Node 20 has none without a flag):
 * the `ws` client, binding each socket to the next loopback address.
 */
class BoundWebSocket extends WsSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { localAddress: takeLocalAddress() })
  }
}

/** Spreads the following connections over `n` loopback source addresses from 127.0.0.`from`. */
export function spreadOverHosts(n: number, from = 2): void {
  hosts = n
  first = from
  ;(globalThis as { WebSocket?: unknown }).WebSocket = BoundWebSocket
}

export type LoadPeer = Awaited<ReturnType<typeof createLoadPeer>>

/**
 * A libp2p peer dialled to the relay and subscribed to `topics` (a flooder subscribes to
 * none: it publishes through gossipsub's fanout and spends nothing on what others send).
 */
export async function createLoadPeer(relayAddr: string, topics: readonly string[] = ALL_TOPICS) {
  const node = await createLibp2p({
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      pubsub: gossipsub(GOSSIPSUB_OPTIONS),
    },
  })
  for (const topic of topics) node.services.pubsub.subscribe(topic)
  await node.dial(multiaddr(relayAddr), { signal: AbortSignal.timeout(20_000) })
  return node
}

/** Waits until the relay lists `peer` as a subscriber of `topic` from `peer`'s side. */
export async function waitForRelayMesh(peer: LoadPeer, topic: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  while (peer.services.pubsub.getSubscribers(topic).length === 0) {
    if (Date.now() > deadline) throw new Error(`no subscriber of ${topic} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** 20 random bytes as a binary string: a BitTorrent info_hash or peer_id over WebSocket. */
export const binaryId = () => randomBytes(20).toString('latin1')

/** A raw WebSocket tracker client from the next loopback address. */
export function trackerClient(url: string): Promise<WsSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WsSocket(url, { localAddress: takeLocalAddress() })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** A WebTorrent-style announce (no offers: the load is the tracker's bookkeeping). */
export const announce = (infoHash: string, peerId: string) =>
  JSON.stringify({
    action: 'announce',
    info_hash: infoHash,
    peer_id: peerId,
    event: 'started',
    numwant: 0,
    uploaded: 0,
    downloaded: 0,
    left: 0,
    offers: [],
  })
