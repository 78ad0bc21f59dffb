import { describe, expect, it } from 'vitest'
import type { AvailabilityEntry } from '../../shared/availability/codec.ts'
import { ed25519AvailabilitySigner, signAvailability } from './availability.ts'
import { createHealthAggregator } from './health.ts'

const ih = (n: number): Uint8Array => new Uint8Array(20).fill(n)
const ihHex = (n: number): string => `0x${n.toString(16).padStart(2, '0').repeat(20)}`
const nodeA = ed25519AvailabilitySigner(new Uint8Array(32).fill(0xa))
const nodeB = ed25519AvailabilitySigner(new Uint8Array(32).fill(0xb))
const nodeC = ed25519AvailabilitySigner(new Uint8Array(32).fill(0xc))
const T0 = 1_700_000_000_000

const full = (n: number, price = 0n): AvailabilityEntry => ({
  infoHash: ih(n),
  slices: 8,
  held: 8,
  price,
})
const some = (n: number, held: number, price = 0n): AvailabilityEntry => ({
  infoHash: ih(n),
  slices: 8,
  held,
  price,
})

function setup(over: Parameters<typeof createHealthAggregator>[0] = {}) {
  let now = T0
  const agg = createHealthAggregator({ now: () => now, ...over })
  return {
    agg,
    at: (t: number) => {
      now = t
    },
  }
}

describe('health aggregator', () => {
  it('counts seeders, complete copies and the cheapest price per item', async () => {
    const { agg } = setup()
    expect(
      agg.ingest(
        await signAvailability(nodeA, { timestamp: T0, entries: [full(1, 50n), full(2)] }),
      ),
    ).toEqual({
      ok: true,
      signer: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      accepted: 2,
      ignored: 0,
    })
    agg.ingest(await signAvailability(nodeB, { timestamp: T0, entries: [some(1, 3, 20n)] }))
    agg.ingest(await signAvailability(nodeC, { timestamp: T0, entries: [some(1, 0, 1n)] }))
    expect(agg.health(ih(1))).toEqual({
      infoHash: ihHex(1),
      seeders: 2,
      completeCopies: 1,
      cheapestPrice: 20n, // C holds nothing, so its price does not count
      updatedAt: T0,
    })
    expect(agg.health(ihHex(2).toUpperCase().replace('0X', '0x'))).toMatchObject({
      seeders: 1,
      cheapestPrice: 0n,
    })
    expect(agg.health(ih(9))).toEqual({
      infoHash: ihHex(9),
      seeders: 0,
      completeCopies: 0,
      cheapestPrice: null,
      updatedAt: 0,
    })
    expect(
      agg
        .all()
        .map((h) => h.infoHash)
        .sort(),
    ).toEqual([ihHex(1), ihHex(2)])
    // Leaving one signer out (the node itself): B's partial copy is all that is left of item 1.
    expect(agg.health(ih(1), { except: nodeA.publicKey })).toMatchObject({
      seeders: 1,
      completeCopies: 0,
      cheapestPrice: 20n,
    })
  })

  it('drops forged, oversized, malformed, future-dated and stale summaries', async () => {
    const { agg } = setup()
    const good = await signAvailability(nodeA, { timestamp: T0, entries: [full(1)] })
    const forged = good.slice()
    forged[forged.length - 40]! ^= 1
    expect(agg.ingest(forged)).toEqual({ ok: false, reason: 'forged' })
    // Another node's key on A's message.
    const stolen = good.slice()
    stolen.set(nodeB.publicKey, 1)
    expect(agg.ingest(stolen)).toEqual({ ok: false, reason: 'forged' })
    expect(agg.ingest(new Uint8Array(16 * 1024 + 1))).toEqual({ ok: false, reason: 'oversized' })
    expect(agg.ingest(good.subarray(0, 50))).toEqual({ ok: false, reason: 'malformed' })
    const future = await signAvailability(nodeA, { timestamp: T0 + 31_000, entries: [full(1)] })
    expect(agg.ingest(future)).toEqual({ ok: false, reason: 'future' })
    const stale = await signAvailability(nodeA, { timestamp: T0 - 91_000, entries: [full(1)] })
    expect(agg.ingest(stale)).toEqual({ ok: false, reason: 'stale' })
    expect(agg.size).toBe(0)
    expect(agg.ingest(good)).toMatchObject({ ok: true, accepted: 1 })
  })

  it('keeps only the newest entry per signer and item: replays change nothing', async () => {
    const { agg, at } = setup()
    const older = await signAvailability(nodeA, { timestamp: T0, entries: [full(1)] })
    const newer = await signAvailability(nodeA, { timestamp: T0 + 60_000, entries: [some(1, 0)] })
    at(T0 + 60_000)
    agg.ingest(newer) // A withdrew item 1 ...
    expect(agg.ingest(older)).toMatchObject({ ok: true, accepted: 0, ignored: 1 }) // ... a replay cannot undo it
    expect(agg.health(ih(1)).seeders).toBe(0)
    expect(agg.ingest(newer)).toMatchObject({ accepted: 0, ignored: 1 })
  })

  it('drops a node that stops announcing within two minutes, and can forget a peer at once', async () => {
    const { agg, at } = setup()
    // A and C announce every minute; C leaves after its announcement at T0.
    agg.ingest(await signAvailability(nodeA, { timestamp: T0, entries: [full(1)] }))
    agg.ingest(await signAvailability(nodeC, { timestamp: T0, entries: [full(1)] }))
    expect(agg.health(ih(1)).seeders).toBe(2)
    at(T0 + 60_000)
    agg.ingest(await signAvailability(nodeA, { timestamp: T0 + 60_000, entries: [full(1)] }))
    expect(agg.health(ih(1)).seeders).toBe(2) // C's last summary is still fresh
    at(T0 + 91_000)
    expect(agg.health(ih(1)).seeders).toBe(1)
    expect(agg.prune()).toBe(1)
    expect(agg.size).toBe(1)
    expect(agg.forgetSigner(nodeA.publicKey)).toBe(1)
    expect(agg.health(ih(1)).seeders).toBe(0)
    expect(agg.all()).toEqual([])
  })

  it('bounds memory by dropping the least recently updated entries', async () => {
    const { agg } = setup({ maxEntries: 3 })
    agg.ingest(await signAvailability(nodeA, { timestamp: T0, entries: [full(1), full(2)] }))
    agg.ingest(await signAvailability(nodeB, { timestamp: T0, entries: [full(1), full(3)] }))
    expect(agg.size).toBe(3)
    // A's item 1 was the oldest update.
    expect(agg.health(ih(1)).seeders).toBe(1)
    expect(agg.health(ih(2)).seeders).toBe(1)
  })
})
