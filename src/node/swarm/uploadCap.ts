/**
 * The upload cap on one wire (DESIGN §4.7): every outgoing `piece` message (one block) first
 * takes its bytes from the token bucket all wires of all torrents share, so the node's upload
 * rate holds whatever the number of peers. A block waits; it is never dropped while the peer
 * still wants it.
 *
 * The one exception is BitTorrent's own: a block whose peer this node choked while it waited
 * is not sent (BEP 3: a choke discards the peer's pending requests), and is rejected instead
 * when the wire speaks the fast extension (BEP 6: every request gets a piece or a reject).
 * A wire that closes drops what it still had queued: there is nobody left to send it to.
 *
 * The patch sits on `wire.piece`, after webtorrent has read and checked the block, and below
 * anything that decides whether to serve (choking, hc_pay's credit): those see the request
 * as before, and only the moment the bytes leave changes.
 */
import type { TokenBucket } from '../seed/tokenBucket.ts'

/** The parts of a bittorrent-protocol wire the cap uses (the bundle ships no types). */
export type UploadWire = {
  piece(index: number, offset: number, buffer: Uint8Array): void
  reject(index: number, offset: number, length: number): void
  amChoking: boolean
  hasFast: boolean
  allowedFastSet: number[]
  destroyed: boolean
  once(ev: 'close', fn: () => void): void
}

/**
 * Makes every block `wire` sends wait for its bytes from `bucket`. Blocks leave in the order
 * they were sent (the bucket is first come, first served); one with tokens ready and nothing
 * queued ahead of it on this wire leaves at once, without a promise turn.
 * @example capWireUpload(wire as unknown as UploadWire, caps.upload)
 */
export function capWireUpload(wire: UploadWire, bucket: TokenBucket): void {
  const send = wire.piece.bind(wire)
  const closed = new AbortController()
  wire.once('close', () => closed.abort())
  let queued = 0

  const deliver = (index: number, offset: number, buffer: Uint8Array): void => {
    if (wire.destroyed) return
    if (wire.amChoking && !(wire.hasFast && wire.allowedFastSet.includes(index))) {
      if (wire.hasFast) wire.reject(index, offset, buffer.length)
      return
    }
    send(index, offset, buffer)
  }

  wire.piece = (index, offset, buffer) => {
    // A block never exceeds the burst in practice (64 KiB blocks, ≥ 256 KiB burst); a larger
    // one is charged the burst rather than refused, so the cap can never stall a wire.
    const bytes = Math.min(buffer.length, bucket.state.burst)
    if (queued === 0 && bucket.tryTake(bytes)) {
      send(index, offset, buffer)
      return
    }
    queued++
    bucket.take(bytes, { signal: closed.signal }).then(
      () => {
        queued--
        deliver(index, offset, buffer)
      },
      () => {
        queued-- // the wire closed (or the swarm stopped): nobody to send it to
      },
    )
  }
}
