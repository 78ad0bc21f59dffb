/**
 * The availability service over an in-memory pubsub: what a node publishes goes through every
 * other node's topic validator, as gossipsub's validation step runs it (a rejected or ignored
 * message is not delivered). Three nodes, a hand-moved clock and real Ed25519 signatures.
 */
import { describe, expect, it } from 'vitest'
import { decodeAvailability } from '../../shared/availability/codec.ts'
import { InvalidInputError } from '../../shared/errors/common.ts'
import type { RpcHandlers } from '../rpc/server.ts'
import {
  type AvailabilitySigner,
  ed25519AvailabilitySigner,
  signAvailability,
} from './availability.ts'
import {
  type AvailabilityNetwork,
  AvailabilityService,
  availabilityService,
  type LocalItem,
} from './availabilityService.ts'

const T0 = 1_700_000_000_000
const X = 'aa'.repeat(20)
const Y = 'bb'.repeat(20)
const Z = 'cc'.repeat(20)
const full = (n: number) => {
  const b = new Uint8Array(Math.ceil(n / 8))
  for (let i = 0; i < n; i++) b[i >> 3] = (b[i >> 3] as number) | (0x80 >> (i & 7))
  return b
}

type Verdict = 'accept' | 'ignore' | 'reject'

/** An in-memory topic: publish runs every other member's validator, synchronously. */
function pubsub() {
  const members = new Map<string, Map<string, (d: Uint8Array, from: string) => Verdict>>()
  const verdicts: { to: string; verdict: Verdict }[] = []
  const deliver = (from: string, topic: string, data: Uint8Array) => {
    for (const [id, validators] of members) {
      const v = id === from ? undefined : validators.get(topic)
      if (v) verdicts.push({ to: id, verdict: v(data, from) })
    }
  }
  const published: { from: string; data: Uint8Array }[] = []
  const gone = new Map<string, Set<(publicKey: Uint8Array) => void>>()
  return {
    verdicts,
    published,
    deliver,
    /** `id`'s last connection to the peer with `publicKey` closes. */
    disconnect(id: string, publicKey: Uint8Array) {
      for (const fn of gone.get(id) ?? []) fn(publicKey)
    },
    network(
      id: string,
      signer: () => AvailabilitySigner,
      online = () => true,
    ): AvailabilityNetwork {
      members.set(id, new Map())
      return {
        current: async () => {
          if (!online()) throw new Error('offline')
          return {
            signer: signer(),
            publish: async (topic, data) => {
              published.push({ from: id, data })
              deliver(id, topic, data)
            },
          }
        },
        validate: (topic, fn) => {
          members.get(id)?.set(topic, fn)
          return () => members.get(id)?.delete(topic)
        },
        onPeerGone: (fn) => {
          const set = gone.get(id) ?? new Set()
          gone.set(id, set)
          set.add(fn)
          return () => set.delete(fn)
        },
      }
    },
  }
}

type Net = ReturnType<typeof pubsub>

/** A node: its items (changed by the test), its clock, its service (no timer). */
function node(net: Net, id: string, seed: number, prices: Record<string, bigint> = {}) {
  const state = {
    now: T0,
    items: [] as LocalItem[],
    online: true,
    signer: ed25519AvailabilitySigner(new Uint8Array(32).fill(seed)),
  }
  const handlers: Partial<RpcHandlers> = {}
  const service = availabilityService({ tickMs: 0, now: () => state.now })({
    network: net.network(
      id,
      () => state.signer,
      () => state.online,
    ),
    items: async () => state.items,
    priceOf: (itemId) => prices[itemId] ?? 0n,
    rpc: { register: (h) => Object.assign(handlers, h) },
  })
  service.start()
  return { state, service, handlers }
}

/** The infoHashes (bare hex) and held counts in `from`'s messages since `since`. */
function sent(net: Net, from: string, since = 0) {
  return net.published
    .slice(since)
    .filter((m) => m.from === from)
    .flatMap((m) =>
      decodeAvailability(m.data).summary.entries.map((e) => ({
        ih: Array.from(e.infoHash, (x) => x.toString(16).padStart(2, '0')).join(''),
        held: e.held,
      })),
    )
}

function three() {
  const net = pubsub()
  const a = node(net, 'A', 1, { x: 100n })
  const b = node(net, 'B', 2)
  const c = node(net, 'C', 3, { cx: 50n })
  const at = (t: number) => {
    for (const n of [a, b, c]) n.state.now = t
  }
  return { net, a, b, c, at }
}

describe('availability service', () => {
  it("folds A's and C's announcements into B's health; each counts itself from its store", async () => {
    const { a, b, c } = three()
    a.state.items = [{ itemId: 'x', infoHash: `0x${X}`, slices: 10, bitfield: full(10) }]
    // C holds 3 of 10 slices (a partial seeder counts; not as a complete copy).
    c.state.items = [{ itemId: 'cx', infoHash: X, slices: 10, bitfield: Uint8Array.of(0xe0, 0) }]
    await a.service.tick()
    await c.service.tick()
    expect(b.service.health(X)).toEqual({
      infoHash: `0x${X}`,
      seeders: 2,
      completeCopies: 1,
      cheapestPrice: '50',
      local: false,
      updatedAt: T0,
    })
    expect(a.service.health(`0x${X.toUpperCase()}`)).toMatchObject({
      seeders: 2,
      completeCopies: 1,
      cheapestPrice: '50',
      local: true,
    })
    // Eviction's rarity counts the other nodes only.
    expect(a.service.seeders('x')).toBe(1)
    expect(b.service.seeders('x')).toBe(0) // not B's item
    expect(b.service.health(Y)).toMatchObject({ seeders: 0, cheapestPrice: null, local: false })
  })

  it('sends each item at most once a minute; a new item goes out at the next tick', async () => {
    const { net, a, at } = three()
    a.state.items = [{ itemId: 'x', infoHash: X, slices: 10, bitfield: full(10) }]
    await a.service.tick()
    expect(sent(net, 'A')).toEqual([{ ih: X, held: 10 }])
    let mark = net.published.length
    at(T0 + 5_000)
    await a.service.tick()
    expect(sent(net, 'A', mark)).toEqual([])
    at(T0 + 10_000)
    a.state.items.push({ itemId: 'y', infoHash: Y, slices: 4, bitfield: full(4) })
    await a.service.tick()
    expect(sent(net, 'A', mark)).toEqual([{ ih: Y, held: 4 }])
    mark = net.published.length
    at(T0 + 60_000)
    await a.service.tick()
    expect(sent(net, 'A', mark)).toEqual([{ ih: X, held: 10 }])
  })

  it('announces an item only once it holds a slice, and then at once', async () => {
    const { net, b, c, at } = three()
    c.state.items = [{ itemId: 'cz', infoHash: Z, slices: 16, bitfield: new Uint8Array(2) }]
    await c.service.tick()
    expect(sent(net, 'C')).toEqual([])
    expect(c.service.health(Z).local).toBe(false)
    at(T0 + 5_000)
    c.state.items = [{ itemId: 'cz', infoHash: Z, slices: 16, bitfield: Uint8Array.of(0, 1) }]
    await c.service.tick()
    expect(sent(net, 'C')).toEqual([{ ih: Z, held: 1 }])
    expect(b.service.health(Z).seeders).toBe(1)
  })

  it('a node that leaves drops out after the TTL; an evicted item is withdrawn sooner', async () => {
    const { a, b, c, at } = three()
    a.state.items = [{ itemId: 'x', infoHash: X, slices: 8, bitfield: full(8) }]
    c.state.items = [{ itemId: 'cx', infoHash: X, slices: 8, bitfield: full(8) }]
    await a.service.tick()
    await c.service.tick()
    expect(b.service.health(X).seeders).toBe(2)
    // C's tab closes at T0 + 1 s; A keeps announcing every minute.
    at(T0 + 60_000)
    await a.service.tick()
    at(T0 + 90_000)
    expect(b.service.health(X).seeders).toBe(2) // C's last word still counts
    at(T0 + 90_001)
    expect(b.service.health(X)).toMatchObject({ seeders: 1, completeCopies: 1 })
    // A evicts X at T0 + 100 s: its minute since T0 + 60 s ends at T0 + 120 s, when it says so,
    // 30 s before B would have dropped it (T0 + 150 s).
    at(T0 + 100_000)
    a.state.items = []
    await a.service.tick()
    expect(a.service.health(X).local).toBe(false)
    expect(b.service.health(X).seeders).toBe(1)
    at(T0 + 120_000)
    await a.service.tick()
    expect(b.service.health(X).seeders).toBe(0)
    await b.service.tick() // prunes C's expired entry; A's withdrawal stays until it expires
    expect(b.service.aggregator.size).toBe(1)
  })

  it('a peer whose connection closes is counted out at once, and back with its next word', async () => {
    const { net, a, b, c, at } = three()
    a.state.items = [{ itemId: 'x', infoHash: X, slices: 8, bitfield: full(8) }]
    c.state.items = [{ itemId: 'cx', infoHash: X, slices: 8, bitfield: full(8) }]
    await a.service.tick()
    await c.service.tick()
    expect(b.service.health(X).seeders).toBe(2)
    // C's tab closes: B's connection to it ends, long before the TTL.
    at(T0 + 5_000)
    net.disconnect('B', c.state.signer.publicKey)
    expect(b.service.health(X)).toMatchObject({ seeders: 1, completeCopies: 1 })
    // Another peer's disconnect, or C's again, changes nothing more.
    net.disconnect('B', new Uint8Array(32).fill(9))
    net.disconnect('B', c.state.signer.publicKey)
    expect(b.service.health(X).seeders).toBe(1)
    // C was still online through others: its next announcement (its minute) counts it again.
    at(T0 + 60_000)
    await c.service.tick()
    expect(b.service.health(X).seeders).toBe(2)
    // After stop(), B no longer follows disconnects.
    b.service.stop()
    net.disconnect('B', c.state.signer.publicKey)
    expect(b.service.health(X).seeders).toBe(2)
  })

  it('rejects forged and malformed summaries, ignores stale ones; none is counted', async () => {
    const { net, a, b } = three()
    a.state.items = [{ itemId: 'x', infoHash: X, slices: 8, bitfield: full(8) }]
    await a.service.tick()
    const good = net.published[0]?.data as Uint8Array
    net.verdicts.length = 0
    const forged = good.slice()
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1
    net.deliver('M', 'hashcard/avail/v1', forged)
    net.deliver('M', 'hashcard/avail/v1', Uint8Array.of(1, 2, 3))
    const other = ed25519AvailabilitySigner(new Uint8Array(32).fill(7))
    const entries = [
      { infoHash: Uint8Array.from({ length: 20 }, () => 0xcc), slices: 1, held: 1, price: 0n },
    ]
    net.deliver(
      'M',
      'hashcard/avail/v1',
      await signAvailability(other, { timestamp: T0 - 91_000, entries }),
    )
    net.deliver(
      'M',
      'hashcard/avail/v1',
      await signAvailability(other, { timestamp: T0 + 60_000, entries }),
    )
    const toB = net.verdicts.filter((v) => v.to === 'B').map((v) => v.verdict)
    expect(toB).toEqual(['reject', 'reject', 'ignore', 'ignore'])
    expect(b.service.health(Z).seeders).toBe(0)
    expect(b.service.health(X).seeders).toBe(1)
  })

  it('offline, it announces nothing and still counts itself; a new peer key starts afresh', async () => {
    const { net, a, b, at } = three()
    a.state.items = [{ itemId: 'x', infoHash: X, slices: 8, bitfield: full(8) }]
    a.state.online = false
    await a.service.tick()
    expect(net.published).toEqual([])
    expect(a.service.health(X)).toMatchObject({ seeders: 1, local: true })
    a.state.online = true
    await a.service.tick()
    expect(sent(net, 'A')).toEqual([{ ih: X, held: 8 }])
    // The identity changed (the network restarted under its key): announced again at once.
    at(T0 + 1_000)
    a.state.signer = ed25519AvailabilitySigner(new Uint8Array(32).fill(9))
    await a.service.tick()
    expect(sent(net, 'A')).toHaveLength(2)
    // B sees two signers until the old one expires: one node, briefly counted twice.
    expect(b.service.health(X).seeders).toBe(2)
  })

  it('answers seed.health in the order asked and refuses a malformed list', async () => {
    const { a, c } = three()
    c.state.items = [{ itemId: 'cx', infoHash: X, slices: 8, bitfield: full(8) }]
    await c.service.tick()
    const call = (infoHashes: unknown) =>
      (a.handlers['seed.health'] as RpcHandlers['seed.health'])(
        { infoHashes } as { infoHashes: string[] },
        { signal: new AbortController().signal },
      )
    const r = await call([Y, `0x${X}`])
    expect(r.map((h) => [h.infoHash, h.seeders])).toEqual([
      [`0x${Y}`, 0],
      [`0x${X}`, 1],
    ])
    await expect(call([X, 'nope'])).rejects.toThrow(/infoHashes\[1\]/)
    await expect(call('x')).rejects.toBeInstanceOf(InvalidInputError)
    await expect(call(Array(501).fill(X))).rejects.toBeInstanceOf(InvalidInputError)
  })

  it('stop() uninstalls the validator and a round in flight publishes nothing', async () => {
    const { net, a, b } = three()
    b.service.stop()
    a.state.items = [{ itemId: 'x', infoHash: X, slices: 8, bitfield: full(8) }]
    await a.service.tick()
    expect(net.verdicts.filter((v) => v.to === 'B')).toEqual([])
    expect(b.service).toBeInstanceOf(AvailabilityService)
    // B stops while its round reads the swarm: it neither asks for the network nor publishes.
    let release = () => {}
    let asked = 0
    b.state.items = [{ itemId: 'x', infoHash: Y, slices: 8, bitfield: full(8) }]
    const slow = new AvailabilityService(
      {
        network: {
          current: () => {
            asked++
            return Promise.reject(new Error('offline'))
          },
          validate: () => () => {},
        },
        items: () => new Promise<LocalItem[]>((r) => (release = () => r(b.state.items))),
        priceOf: () => 0n,
      },
      { tickMs: 0, now: () => T0 },
    )
    slow.start()
    const round = slow.tick()
    slow.stop()
    release()
    await round
    expect(asked).toBe(0)
    expect(slow.health(Y).local).toBe(true) // it still knows what it holds
  })
})
