/**
 * One DataChannel message per BitTorrent message. bittorrent-protocol pushes a message with a
 * payload as two stream chunks (the header, then the payload) and simple-peer sends each chunk
 * as its own DataChannel message, so every `piece` cost two messages: a 13-byte one and the
 * block. A DataChannel's rate here is bound by its per-message cost more than by bytes (see the
 * README's stream benchmark), and the wire is a byte stream to the peer, so joining the two
 * changes nothing it can see.
 */
import type { Wire } from 'webtorrent/dist/webtorrent.min.js'

type WireInternals = {
  _message(id: number, numbers: number[], data: Uint8Array | null): void
  _push(data: Uint8Array): void
}

/** Makes `wire` push each message as one chunk (header and payload in one buffer). */
export function coalesceWireMessages(wire: Wire): void {
  const w = wire as unknown as WireInternals
  w._message = (id, numbers, data) => {
    const head = 5 + 4 * numbers.length
    const buf = new Uint8Array(head + (data?.length ?? 0))
    const view = new DataView(buf.buffer)
    view.setUint32(0, buf.length - 4)
    buf[4] = id
    for (let i = 0; i < numbers.length; i++) view.setUint32(5 + 4 * i, numbers[i] as number)
    if (data) buf.set(data, head)
    w._push(buf)
  }
}

/**
 * Caps the requests webtorrent keeps outstanding on `wire` at `max`. Its pipeline is
 * 2 + (one second of the wire's download rate in 16 KiB blocks) requests; with 64 KiB blocks
 * that is four seconds of data queued at the seeder (tens of MB at LAN rates), and a critical
 * slice or a seek waits behind all of it. webtorrent already bounds the pipeline by the peer's
 * advertised `reqq` (BEP 10), so the cap lowers that figure as this side sees it.
 */
export function capWireRequests(wire: Wire, max: number): void {
  const cap = (hs: { reqq?: unknown }) => {
    hs.reqq = typeof hs.reqq === 'number' && hs.reqq > 0 ? Math.min(hs.reqq, max) : max
  }
  const w = wire as unknown as { peerExtendedHandshake: { reqq?: unknown } }
  cap(w.peerExtendedHandshake)
  wire.on('extended', (ext: string) => {
    if (ext === 'handshake') cap(w.peerExtendedHandshake)
  })
}
