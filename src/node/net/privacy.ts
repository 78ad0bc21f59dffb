/**
 * Privacy mode (relay only; issue #20, the seed settings' `privacyMode`): the node never
 * reveals its own addresses to peers.
 * - WebRTC — libp2p's transport and webtorrent's simple-peer alike — gathers only relayed
 *   candidates (`iceTransportPolicy: 'relay'`) from the relay's TURN server, so an SDP offer or
 *   answer, a trickled candidate and the tracker's copy of an offer carry the TURN server's
 *   address only (Chromium also blanks a relay candidate's `raddr` under this policy).
 * - libp2p talks only through the relay: no `/webrtc` listener (so no address to announce but
 *   the relay's circuit), no direct dials, and a gater that refuses any WebRTC connection
 *   either way; gossip reaches other tabs through the relay's gossipsub peer (network.ts).
 * The relay itself still sees the tab's address (its WebSocket and TURN connections): it is
 * the one party the user trusts with it.
 */
import type { ConnectionGater } from '@libp2p/interface'
import type { TurnInfo } from '../../shared/config.ts'

/** Privacy mode as the network and the swarm follow it (the seed service's settings). */
export type PrivacySource = {
  current(): boolean
  /** Called when the setting changes (only then); returns the unsubscribe. */
  onChange(fn: (on: boolean) => void): () => void
}

/** A source that is always `on` (tests; a node without settings). */
export const fixedPrivacy = (on: boolean): PrivacySource => ({
  current: () => on,
  onChange: () => () => {},
})

/**
 * The `RTCConfiguration` for new peer connections. With privacy on: relayed candidates only,
 * from the relay's TURN server; without a TURN server that gathers nothing, and the node then
 * makes no WebRTC connection at all rather than reveal its address. Off: the relay's TURN
 * server as a STUN server, so that this node also offers a server-reflexive candidate. A
 * private peer needs one: its TURN allocation forwards only from addresses it was given a
 * permission for, and Chromium conceals host candidates behind mDNS names it cannot resolve.
 * @example new RTCPeerConnection(rtcConfigFor(true, config.relay.turn))
 */
export function rtcConfigFor(privacy: boolean, turn: TurnInfo | undefined): RTCConfiguration {
  if (!privacy) {
    const stun = stunUrls(turn)
    return stun.length > 0 ? { iceServers: [{ urls: stun }] } : {}
  }
  return {
    iceTransportPolicy: 'relay',
    iceServers: turn
      ? [{ urls: [...turn.urls], username: turn.username, credential: turn.credential }]
      : [],
  }
}

/** `turn:host:port?transport=udp` → `stun:host:port` (a TURN server answers STUN binding). */
const stunUrls = (turn: TurnInfo | undefined): string[] =>
  (turn?.urls ?? [])
    .filter((u) => u.startsWith('turn:') && !/transport=tcp/.test(u))
    .map((u) => `stun:${u.slice('turn:'.length).replace(/\?.*$/, '')}`)

/**
 * Whether a multiaddr is (or would become) a WebRTC connection: a privacy-mode node neither
 * dials nor accepts one, whatever its candidates.
 */
export const isWebRTCAddr = (addr: string): boolean => /\/webrtc(-direct)?(\/|$)/.test(addr)

/**
 * Which dials the node refuses: in production plain `ws://` (dev allows it, and private
 * addresses: PLATFORM.md); in privacy mode any WebRTC connection, dialled or accepted.
 */
export function gaterFor(opts: { dev: boolean; privacy?: boolean | undefined }): ConnectionGater {
  const plainWs = (ma: string) => !opts.dev && ma.includes('/ws/') && !ma.includes('/tls/')
  if (!opts.privacy) return { denyDialMultiaddr: (ma) => plainWs(ma.toString()) }
  const webrtc = (ma: { toString(): string }) => isWebRTCAddr(ma.toString())
  return {
    denyDialMultiaddr: (ma) => plainWs(ma.toString()) || webrtc(ma),
    denyInboundConnection: (conn) => webrtc(conn.remoteAddr),
    denyOutboundConnection: (_peer, conn) => webrtc(conn.remoteAddr),
  }
}
