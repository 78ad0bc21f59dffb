import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { TOPICS } from '../../shared/topics.ts'
import type { BrowserNode } from './libp2p.ts'
import { NetworkService } from './network.ts'
import { REDIAL_INITIAL_MS } from './redial.ts'

/**
 * A libp2p node reduced to what NetworkService touches: its events, pubsub's, the peer store
 * and dials. Direct dials to `flaky` fail until `flaky.failures` reach zero.
 */
async function fakeNode() {
  const self = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const relayAddr = `/ip4/127.0.0.1/tcp/1/ws/p2p/${relay}`
  type Conn = { remotePeer: PeerId; remoteAddr: ReturnType<typeof multiaddr>; status: string }
  const conns: Conn[] = []
  const stored = new Map<string, string[]>()
  const peerOf = new Map<string, PeerId>()
  const dials: string[] = []
  const flaky = { failures: 0 }
  const pubsub = Object.assign(new EventTarget(), {
    topicValidators: new Map(),
    subscribe: () => {},
  })
  const node = Object.assign(new EventTarget(), {
    peerId: self,
    services: { pubsub },
    status: 'started',
    start: async () => {},
    stop: async () => {},
    announce: () => {},
    getMultiaddrs: () => [],
    getConnections: (id?: PeerId) =>
      conns.filter((c) => !id || c.remotePeer.toString() === id.toString()),
    peerStore: {
      get: async (id: PeerId) => {
        const addrs = stored.get(id.toString())
        if (!addrs) throw new Error('not found')
        return { addresses: addrs.map((a) => ({ multiaddr: multiaddr(a) })) }
      },
    },
    dial: async (ma: ReturnType<typeof multiaddr>) => {
      const addr = ma.toString()
      const peer = addr.split('/p2p/').at(-1) as string
      if (peer === relay.toString()) {
        conns.push({ remotePeer: relay, remoteAddr: ma, status: 'open' })
        return conns.at(-1)
      }
      dials.push(peer)
      if (flaky.failures > 0) {
        flaky.failures--
        throw new Error('signal timed out')
      }
      const remotePeer = peerOf.get(peer)
      if (!remotePeer) throw new Error(`unknown peer ${peer}`)
      conns.push({ remotePeer, remoteAddr: ma, status: 'open' })
      return conns.at(-1)
    },
  })
  /** Another tab: stored with its circuit address, as its first announcement leaves it. */
  const tab = async () => {
    const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    peerOf.set(id.toString(), id)
    stored.set(id.toString(), [`${relayAddr}/p2p-circuit/webrtc/p2p/${id}`])
    return id
  }
  /** The tab's announcement on the peers topic, as gossipsub delivers it. */
  const announce = (from: PeerId) =>
    pubsub.dispatchEvent(
      new CustomEvent('message', {
        detail: { topic: TOPICS.peers, type: 'signed', from, data: new Uint8Array() },
      }),
    )
  const discover = (id: PeerId) =>
    node.dispatchEvent(
      new CustomEvent('peer:discovery', {
        detail: { id, multiaddrs: stored.get(id.toString())?.map((a) => multiaddr(a)) },
      }),
    )
  return {
    node: node as unknown as BrowserNode,
    self,
    relay: { peerId: relay.toString(), multiaddrs: [relayAddr], tracker: 'ws://127.0.0.1:2' },
    dials,
    flaky,
    tab,
    announce,
    discover,
    direct: (id: PeerId) => conns.some((c) => c.remotePeer.toString() === id.toString()),
  }
}

/** A NetworkService started on a fake node. */
async function started() {
  const f = await fakeNode()
  const net = new NetworkService(f.node, {
    relay: f.relay,
    peerKey: await generateKeyPair('Ed25519'),
    onStatus: () => {},
    onGossip: () => {},
  })
  await net.start()
  return { f, net }
}

describe('NetworkService: direct dials', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('dials a tab again on its announcements once a failed dial has waited out its back-off', async () => {
    vi.useFakeTimers()
    const { f, net } = await started()
    // A peer id lower than ours dials first, so find one that makes us the dialler.
    let peer = await f.tab()
    while (f.self.toString() > peer.toString()) peer = await f.tab()
    f.flaky.failures = 1
    f.discover(peer)
    await vi.advanceTimersByTimeAsync(0)
    expect(f.dials).toEqual([peer.toString()])
    expect(f.direct(peer)).toBe(false)
    // Its announcements within the back-off are not dials…
    for (let t = 0; t < REDIAL_INITIAL_MS - 500; t += 500) {
      f.announce(peer)
      await vi.advanceTimersByTimeAsync(500)
    }
    expect(f.dials).toHaveLength(1)
    // …the first one after it is, and the tabs are connected.
    await vi.advanceTimersByTimeAsync(REDIAL_INITIAL_MS)
    f.announce(peer)
    await vi.advanceTimersByTimeAsync(0)
    expect(f.dials).toHaveLength(2)
    expect(f.direct(peer)).toBe(true)
    // Connected: later announcements dial nothing.
    f.announce(peer)
    await vi.advanceTimersByTimeAsync(0)
    expect(f.dials).toHaveLength(2)
    await net.stop()
  })

  it('does not dial a tab whose dial never failed on its announcements (discovery dials it)', async () => {
    vi.useFakeTimers()
    const { f, net } = await started()
    const peer = await f.tab()
    f.announce(peer)
    await vi.advanceTimersByTimeAsync(0)
    expect(f.dials).toEqual([])
    await net.stop()
  })
})
