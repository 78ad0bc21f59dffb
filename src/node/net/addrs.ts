/**
 * Classifies a connection's remote multiaddr. A private-to-private WebRTC connection is
 * signalled through a relay, so the dialer sees `/…/p2p-circuit/webrtc/p2p/<peer>` and the
 * listener `/webrtc/p2p/<peer>`: either way the bytes flow directly when `/webrtc` comes
 * after the last `/p2p-circuit`. A bare `/p2p-circuit` hop is a relayed (limited) connection.
 */
export function isDirectWebRTC(addr: string): boolean {
  const circuit = addr.lastIndexOf('/p2p-circuit')
  const webrtc = addr.lastIndexOf('/webrtc')
  return webrtc >= 0 && webrtc > circuit && !addr.includes('/webrtc-direct')
}

export function isRelayed(addr: string): boolean {
  return addr.includes('/p2p-circuit') && !isDirectWebRTC(addr)
}

/** The dialable `/webrtc` addresses among a peer's announced multiaddrs. */
export function webrtcDialAddrs(addrs: string[]): string[] {
  return addrs.filter((a) => a.includes('/p2p-circuit/webrtc'))
}
