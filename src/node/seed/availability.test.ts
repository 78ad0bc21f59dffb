import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { decodeAvailability, MAX_AVAILABILITY_BYTES } from '../../shared/availability/codec.ts'
import {
  type AvailabilitySigner,
  createAnnounceLimiter,
  createAnnouncer,
  ed25519AvailabilitySigner,
  entryFor,
  type HeldItem,
  signAvailability,
  verifyAvailability,
} from './availability.ts'

const hexToBytes = (h: string): Uint8Array =>
  Uint8Array.from(h.match(/../g) ?? [], (x) => Number.parseInt(x, 16))
const toHex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const ih = (n: number): Uint8Array => {
  const b = new Uint8Array(20)
  new DataView(b.buffer).setUint32(16, n)
  return b
}
const signer = ed25519AvailabilitySigner(new Uint8Array(32).fill(9))
const NOW = 1_700_000_000_000

describe('availability signatures', () => {
  it('are pure Ed25519 (RFC 8032 §7.1, test 1)', async () => {
    const s = ed25519AvailabilitySigner(
      hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
    )
    expect(toHex(s.publicKey)).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    )
    expect(toHex(await s.sign(new Uint8Array()))).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
        '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    )
  })

  it('verify for the signer, and fail for a changed byte or another key', async () => {
    const msg = await signAvailability(signer, {
      timestamp: NOW,
      entries: [{ infoHash: ih(1), slices: 4, held: 4, price: 7n }],
    })
    expect(verifyAvailability(decodeAvailability(msg))).toBe(true)
    for (const at of [1, 40, msg.length - 1]) {
      const bad = msg.slice()
      bad[at]! ^= 1
      let ok: boolean
      try {
        ok = verifyAvailability(decodeAvailability(bad))
      } catch {
        ok = false
      }
      expect(ok).toBe(false)
    }
    const other = ed25519AvailabilitySigner(new Uint8Array(32).fill(1))
    const swapped = msg.slice()
    swapped.set(other.publicKey, 1)
    expect(verifyAvailability(decodeAvailability(swapped))).toBe(false)
    // A signer key that is not a curve point is refused, not thrown.
    const offCurve = msg.slice()
    offCurve.set(new Uint8Array(32).fill(0xff), 1)
    expect(verifyAvailability(decodeAvailability(offCurve))).toBe(false)
  })

  it('accept libp2p peer keys as they are (the wiring signs with the peer key)', async () => {
    const key = await generateKeyPair('Ed25519')
    const peerSigner: AvailabilitySigner = {
      publicKey: key.publicKey.raw,
      sign: (m) => key.sign(m),
    }
    const msg = await signAvailability(peerSigner, {
      timestamp: NOW,
      entries: [{ infoHash: ih(2), slices: 1, held: 1, price: 0n }],
    })
    expect(verifyAvailability(decodeAvailability(msg))).toBe(true)
  })
})

describe('announce limiter', () => {
  it('allows a key once per interval', () => {
    const l = createAnnounceLimiter({ intervalMs: 60_000 })
    expect(l.tryAcquire('a', 0)).toBe(true)
    expect(l.tryAcquire('a', 59_999)).toBe(false)
    expect(l.tryAcquire('b', 59_999)).toBe(true)
    expect(l.tryAcquire('a', 60_000)).toBe(true)
  })

  it('bounds memory: prunes keys past the interval, refuses new ones while full of live keys', () => {
    const l = createAnnounceLimiter({ intervalMs: 1000, maxKeys: 2 })
    expect(l.tryAcquire('a', 0)).toBe(true)
    expect(l.tryAcquire('b', 500)).toBe(true)
    expect(l.tryAcquire('c', 600)).toBe(false) // a and b still limit
    expect(l.tryAcquire('a', 700)).toBe(false) // and a's promise holds
    expect(l.tryAcquire('c', 1000)).toBe(true) // a expired and was pruned
    expect(l.size).toBe(2)
  })
})

describe('announcer', () => {
  const items = (n: number, over: Partial<HeldItem> = {}): HeldItem[] =>
    Array.from({ length: n }, (_, i) => ({
      infoHash: ih(i),
      slices: 96,
      held: 96,
      price: 0n,
      ...over,
    }))

  it('announces each item at most once a minute', async () => {
    const a = createAnnouncer({ signer })
    const held = items(3)
    expect(await a.announce(held, NOW)).toHaveLength(1)
    expect(await a.announce(held, NOW + 59_999)).toEqual([])
    // A newly held item goes out at once; the others wait for their minute.
    const more = await a.announce(items(4), NOW + 30_000)
    expect(more.map((m) => decodeAvailability(m).summary.entries.length)).toEqual([1])
    const again = await a.announce(held, NOW + 60_000)
    expect(decodeAvailability(again[0]!).summary.entries).toHaveLength(3)
  })

  it('packs 1,000 items into signed messages under the limit, ≈ 27 bytes per item', async () => {
    const msgs = await createAnnouncer({ signer }).announce(items(1000), NOW)
    let entries = 0
    let bytes = 0
    for (const m of msgs) {
      expect(m.length).toBeLessThanOrEqual(MAX_AVAILABILITY_BYTES)
      const d = decodeAvailability(m)
      expect(verifyAvailability(d)).toBe(true)
      entries += d.summary.entries.length
      bytes += m.length
    }
    expect(entries).toBe(1000)
    expect(msgs).toHaveLength(4) // 255 entries a message
    // The availability_bytes_per_item_min figure, for complete free items.
    expect(bytes / 1000).toBeLessThan(30)
  })

  it('splits by size when bitfields are large', async () => {
    const bitfield = new Uint8Array(64).fill(0xaa)
    const msgs = await createAnnouncer({ signer, maxBytes: 1000 }).announce(
      items(40, { slices: 512, held: undefined, bitfield }),
      NOW,
    )
    expect(msgs.length).toBeGreaterThan(1)
    for (const m of msgs) expect(m.length).toBeLessThanOrEqual(1000)
    expect(msgs.reduce((n, m) => n + decodeAvailability(m).summary.entries.length, 0)).toBe(40)
  })

  it('sends complete items bare, small partial ones as bitfields, large ones as counts', () => {
    const full = entryFor({
      infoHash: ih(1),
      slices: 10,
      bitfield: Uint8Array.of(0xff, 0xff),
      price: 1n,
    })
    expect(full).toEqual({ infoHash: ih(1), slices: 10, held: 10, price: 1n })
    const partial = entryFor({
      infoHash: ih(1),
      slices: 10,
      bitfield: Uint8Array.of(0x80, 0xff),
      price: 0n,
    })
    // The stale padding bits past slice 10 were cleared.
    expect(partial).toEqual({
      infoHash: ih(1),
      slices: 10,
      held: 3,
      bitfield: Uint8Array.of(0x80, 0xc0),
      price: 0n,
    })
    const large = entryFor({
      infoHash: ih(1),
      slices: 4096,
      bitfield: new Uint8Array(512).fill(1),
      price: 0n,
    })
    expect(large).toEqual({ infoHash: ih(1), slices: 4096, held: 512, price: 0n })
    const none = entryFor({ infoHash: ih(1), slices: 10, bitfield: new Uint8Array(2), price: 0n })
    expect(none).toEqual({ infoHash: ih(1), slices: 10, held: 0, price: 0n })
  })
})
