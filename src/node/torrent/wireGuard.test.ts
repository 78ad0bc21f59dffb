/**
 * The wire guard on a real bittorrent-protocol Wire, fed what a hostile peer sends (each case
 * was found by fuzz/targets/wire.ts or follows from what it found).
 */
import Wire from 'bittorrent-protocol'
import utMetadata from 'ut_metadata'
import { describe, expect, it } from 'vitest'
import { WireProtocolError } from '../../shared/errors/swarm.ts'
import { type GuardableWire, guardWire, MAX_WIRE_MESSAGE_BYTES } from './wireGuard.ts'

const INFO_HASH = '11'.repeat(20)
const enc = new TextEncoder()
const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255)
const cat = (...p: Uint8Array[]) => Uint8Array.from(p.flatMap((x) => [...x]))
const message = (...body: Uint8Array[]) => cat(u32(cat(...body).length), ...body)

/** The peer's handshake with the BEP 10 and BEP 6 bits. */
function peerHandshake(): Uint8Array {
  const b = new Uint8Array(68)
  b[0] = 19
  b.set(enc.encode('BitTorrent protocol'), 1)
  b[25] = 0x10
  b[27] = 0x04
  b.set(Buffer.from(INFO_HASH, 'hex'), 28)
  b.set(new Uint8Array(20).fill(0xbb), 48)
  return b
}
/** streamx marks a wire destroyed a tick after `destroy()`. */
const tick = () => new Promise((r) => setImmediate(r))
const extHandshake = (dict: string) => message(Uint8Array.of(20, 0), enc.encode(dict))

/** A wire that has sent its handshake, guarded unless `guard` is false. */
function open(guard = true) {
  const wire = new Wire()
  const drops: WireProtocolError[] = []
  if (guard) guardWire(wire as unknown as GuardableWire, (e) => drops.push(e))
  const w = wire as unknown as {
    use(e: unknown): void
    _write(b: Uint8Array, cb: () => void): void
  }
  w.use(utMetadata())
  wire.on('error', () => {})
  wire.handshake(INFO_HASH, 'aa'.repeat(20), { fast: true })
  return { wire, drops, feed: (b: Uint8Array) => w._write(b, () => {}) }
}

describe('guardWire', () => {
  it('closes the wire of a peer whose extended handshake makes bittorrent-protocol throw', async () => {
    // `m.x` is a dictionary with a `toString` key: Number(info.m[name].toString()) throws.
    const hostile = cat(peerHandshake(), extHandshake('d1:md1:xd8:toStringi5eeee'))
    const bare = open(false)
    expect(() => bare.feed(hostile)).toThrow(TypeError) // what the guard is for
    const { wire, drops, feed } = open()
    expect(() => feed(cat(hostile, message(Uint8Array.of(2))))).not.toThrow()
    await tick()
    expect(wire.destroyed).toBe(true)
    expect(drops).toHaveLength(1)
    expect(drops[0]).toBeInstanceOf(WireProtocolError)
    expect(drops[0]?.details).toMatch(/message type 20.*toString is not a function/)
  })

  it('closes the wire of a peer asking for metadata it never said it speaks', async () => {
    // ut_metadata answers on an extension the peer did not map: bittorrent-protocol throws.
    const request = message(Uint8Array.of(20, 1), enc.encode('d8:msg_typei0e5:piecei0ee'))
    const { wire, drops, feed } = open()
    feed(cat(peerHandshake(), extHandshake('d1:md1:xi1eee'), request))
    await tick()
    expect(wire.destroyed).toBe(true)
    expect(drops[0]?.details).toMatch(/Unrecognized extension/)
  })

  it('refuses a message longer than the limit before buffering it', async () => {
    const { wire, drops, feed } = open()
    feed(cat(peerHandshake(), u32(MAX_WIRE_MESSAGE_BYTES + 1), Uint8Array.of(7)))
    await tick()
    expect(wire.destroyed).toBe(true)
    expect(drops[0]?.shortMessage).toMatch(/size limit/)
  })

  it('lets a well-behaved peer through', async () => {
    const { wire, drops, feed } = open()
    const seen: string[] = []
    wire.on('interested', () => seen.push('interested'))
    wire.on('have', (i: number) => seen.push(`have ${i}`))
    feed(
      cat(
        peerHandshake(),
        extHandshake('d1:md11:ut_metadatai3eee'),
        message(Uint8Array.of(2)),
        message(Uint8Array.of(4), u32(5)),
        message(Uint8Array.of(20, 1), enc.encode('d8:msg_typei0e5:piecei0ee')),
      ),
    )
    expect(seen).toEqual(['interested', 'have 5'])
    await tick()
    expect(wire.destroyed).toBe(false)
    expect(drops).toEqual([])
    wire.destroy()
  })
})
