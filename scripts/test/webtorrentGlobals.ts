/**
 * Test helper: what webtorrent's prebuilt browser bundle (webtorrent/dist/webtorrent.min.js)
 * expects of a worker and Node 20 lacks — `self`, `WebSocket`, `navigator` and the ES2025
 * Uint8Array hex/base64 methods. Import it for its effect before the bundle loads (the swarm
 * imports it lazily in `start()`). No WebRTC: a client seeds and adds, but meets no peer.
 */
import { WebSocket } from 'ws'

const g = globalThis as Record<string, unknown>
g.self ??= globalThis
g.WebSocket ??= WebSocket
g.navigator ??= { hardwareConcurrency: 2, userAgent: 'node' }

type Hexy = Record<string, unknown> & { prototype: Record<string, unknown> }
const u8 = Uint8Array as unknown as Hexy
const view = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
u8.prototype.toHex ??= function (this: Uint8Array) {
  return view(this).toString('hex')
}
u8.prototype.toBase64 ??= function (this: Uint8Array) {
  return view(this).toString('base64')
}
u8.fromHex ??= (s: string) => new Uint8Array(Buffer.from(s, 'hex'))
u8.fromBase64 ??= (s: string) => new Uint8Array(Buffer.from(s, 'base64'))
