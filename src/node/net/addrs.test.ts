import { describe, expect, it } from 'vitest'
import { isDirectWebRTC, isRelayed, webrtcDialAddrs } from './addrs.ts'

const relay = '/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWRelay'
const peer = '12D3KooWPeer'

describe('connection address classification', () => {
  it('treats the dialer and the listener side of a WebRTC connection as direct', () => {
    expect(isDirectWebRTC(`${relay}/p2p-circuit/webrtc/p2p/${peer}`)).toBe(true)
    expect(isDirectWebRTC(`/webrtc/p2p/${peer}`)).toBe(true)
  })
  it('treats a circuit hop as relayed, not direct', () => {
    const circuit = `${relay}/p2p-circuit/p2p/${peer}`
    expect(isDirectWebRTC(circuit)).toBe(false)
    expect(isRelayed(circuit)).toBe(true)
  })
  it('treats websockets to the relay as neither', () => {
    expect(isDirectWebRTC(relay)).toBe(false)
    expect(isRelayed(relay)).toBe(false)
  })
  it('picks only circuit-signalled WebRTC addresses to dial', () => {
    const addrs = [`${relay}/p2p-circuit/p2p/${peer}`, `${relay}/p2p-circuit/webrtc/p2p/${peer}`]
    expect(webrtcDialAddrs(addrs)).toEqual([addrs[1]])
  })
})
