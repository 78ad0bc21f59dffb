import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { gaterFor, isWebRTCAddr, rtcConfigFor } from './privacy.ts'

const turn = {
  urls: ['turn:127.0.0.1:3478?transport=udp'],
  username: '9:hc',
  credential: 'c2VjcmV0',
}
const relay = '/ip4/127.0.0.1/tcp/8081/ws/p2p/12D3KooWRelay'
const peer = '12D3KooWPeer'
const conn = (addr: string) => ({ remoteAddr: { toString: () => addr } }) as never

describe('privacy mode: WebRTC configuration', () => {
  it('is relay-only through the relay TURN server when on', () => {
    expect(rtcConfigFor(true, turn)).toEqual({
      iceTransportPolicy: 'relay',
      iceServers: [{ urls: turn.urls, username: '9:hc', credential: 'c2VjcmV0' }],
    })
  })

  it('gathers nothing rather than fall back to host candidates without a TURN server', () => {
    expect(rtcConfigFor(true, undefined)).toEqual({ iceTransportPolicy: 'relay', iceServers: [] })
  })

  it('uses the TURN server for STUN when off, so private peers can reach this node', () => {
    expect(rtcConfigFor(false, turn)).toEqual({ iceServers: [{ urls: ['stun:127.0.0.1:3478'] }] })
    const tcpOnly = { ...turn, urls: ['turn:r.example:3478?transport=tcp', 'turns:r.example:5349'] }
    expect(rtcConfigFor(false, tcpOnly)).toEqual({})
    expect(rtcConfigFor(false, undefined)).toEqual({})
  })

  it('does not share the TURN urls array with the config', () => {
    const server = rtcConfigFor(true, turn).iceServers?.[0]
    expect(server?.urls).not.toBe(turn.urls)
    expect(server?.urls).toEqual(turn.urls)
    expect(turn.urls).toHaveLength(1)
  })
})

describe('privacy mode: libp2p gater', () => {
  it('tells WebRTC addresses from circuits', () => {
    expect(isWebRTCAddr(`${relay}/p2p-circuit/webrtc/p2p/${peer}`)).toBe(true)
    expect(isWebRTCAddr(`/webrtc/p2p/${peer}`)).toBe(true)
    expect(isWebRTCAddr('/ip4/1.2.3.4/udp/1/webrtc-direct/certhash/u')).toBe(true)
    expect(isWebRTCAddr(`${relay}/p2p-circuit/p2p/${peer}`)).toBe(false)
    expect(isWebRTCAddr(relay)).toBe(false)
  })

  it('refuses every WebRTC connection, dialled or accepted, and keeps circuits', async () => {
    const g = gaterFor({ dev: true, privacy: true })
    expect(await g.denyDialMultiaddr?.(multiaddr(`${relay}/p2p-circuit/webrtc/p2p/${peer}`))).toBe(
      true,
    )
    expect(await g.denyDialMultiaddr?.(multiaddr(`${relay}/p2p-circuit/p2p/${peer}`))).toBe(false)
    expect(await g.denyDialMultiaddr?.(multiaddr(relay))).toBe(false)
    expect(await g.denyInboundConnection?.(conn(`/webrtc/p2p/${peer}`))).toBe(true)
    expect(await g.denyInboundConnection?.(conn(`${relay}/p2p-circuit/p2p/${peer}`))).toBe(false)
    expect(await g.denyOutboundConnection?.(peer as never, conn(`/webrtc/p2p/${peer}`))).toBe(true)
  })

  it('allows WebRTC with privacy off, and plain ws:// only on a dev chain', async () => {
    const dev = gaterFor({ dev: true })
    const prod = gaterFor({ dev: false })
    const direct = multiaddr(`${relay}/p2p-circuit/webrtc/p2p/${peer}`)
    expect(await dev.denyDialMultiaddr?.(direct)).toBe(false)
    expect(dev.denyInboundConnection).toBeUndefined()
    expect(await prod.denyDialMultiaddr?.(multiaddr(relay))).toBe(true)
    expect(await prod.denyDialMultiaddr?.(multiaddr('/dns4/r.example/tcp/443/tls/ws'))).toBe(false)
    expect(
      await gaterFor({ dev: false, privacy: true }).denyDialMultiaddr?.(multiaddr(relay)),
    ).toBe(true)
  })
})
