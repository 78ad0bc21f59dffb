/**
 * A malformed message from a peer costs this node that peer's wire, nothing more (DESIGN §6,
 * issue #20). bittorrent-protocol parses each message inside its stream's write and lets its
 * handlers' exceptions fly: an extended handshake whose `m` maps a name to a dictionary with a
 * `toString` key throws a TypeError from `Number(info.m[name].toString())`, uncaught, which
 * leaves the wire half-parsed and open (found by fuzz/targets/wire.ts). A length prefix of up
 * to 4 GiB also makes the wire buffer that much before it parses anything. The guard wraps the
 * per-message dispatch (every handler and extension runs under it) and the length parser, and
 * closes the wire on either.
 */
import { WireProtocolError } from '../../shared/errors/swarm.ts'

/** The longest message a peer may send: a 16 KiB block or metadata piece is far below it. */
export const MAX_WIRE_MESSAGE_BYTES = 1 << 20

/** The bittorrent-protocol 5 internals the guard wraps (also inside webtorrent's bundle). */
export type GuardableWire = {
  destroyed: boolean
  _onMessage(buffer: Uint8Array): void
  _onMessageLength(buffer: Uint8Array): void
  _parse(size: number, parser: (buffer: Uint8Array) => void): void
  destroy(): void
}

/**
 * Guards `wire` from its next message on; `onDrop` hears why a wire was closed. Call it from
 * the torrent's `wire` event (emitted while the peer's handshake is parsed, before any message).
 * @example torrent.on('wire', (wire) => guardWire(wire, (err) => log.warn(err.message)))
 */
export function guardWire(wire: GuardableWire, onDrop: (err: WireProtocolError) => void): void {
  const onMessage = wire._onMessage
  const onMessageLength = wire._onMessageLength
  const drop = (err: WireProtocolError): void => {
    // Parse nothing more of what is buffered: the wire is going.
    wire._parse(Number.MAX_SAFE_INTEGER, () => {})
    if (!wire.destroyed) wire.destroy()
    onDrop(err)
  }
  wire._onMessageLength = (buffer) => {
    const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0)
    if (length > MAX_WIRE_MESSAGE_BYTES)
      return drop(
        new WireProtocolError('A peer announced a message past the size limit.', {
          details: `${length} bytes, at most ${MAX_WIRE_MESSAGE_BYTES}`,
        }),
      )
    onMessageLength.call(wire, buffer)
  }
  wire._onMessage = (buffer) => {
    try {
      onMessage.call(wire, buffer)
    } catch (cause) {
      drop(
        new WireProtocolError('A peer sent a message this node cannot read.', {
          details: `message type ${buffer[0]}, ${buffer.length} bytes: ${(cause as Error)?.message ?? String(cause)}`,
          cause,
        }),
      )
    }
  }
}
