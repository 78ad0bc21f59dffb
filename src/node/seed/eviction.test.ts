import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { StorageBudgetError } from '../../shared/errors/seed.ts'
import {
  type EvictionCandidate,
  planEviction,
  RECENCY_HALF_LIFE_MS,
  valueItems,
} from './eviction.ts'

const MiB = 1024 * 1024
const DAY = 24 * 60 * 60 * 1000
const NOW = 1_700_000_000_000

const item = (id: string, over: Partial<EvictionCandidate> = {}): EvictionCandidate => ({
  id,
  bytes: 24 * MiB,
  pinned: false,
  own: false,
  playing: false,
  earned7d: 0n,
  requests7d: 0,
  seeders: 3,
  lastUsed: NOW - DAY,
  ...over,
})

const isProtected = (c: EvictionCandidate): boolean => c.pinned || c.own || c.playing

describe('the value of an item', () => {
  it('follows earnings per byte, then demand, rarity and recency', () => {
    const [earner, popular, rare, recent, dead] = valueItems(
      [
        item('earner', { earned7d: 10n ** 15n }),
        item('popular', { requests7d: 500 }),
        item('rare', { seeders: 0, lastUsed: 0 }),
        item('recent', { lastUsed: NOW }),
        item('dead', { lastUsed: 0 }),
      ],
      { now: NOW },
    )
    expect(earner?.earn).toBe(1)
    expect(popular?.demand).toBe(1)
    expect(rare?.rarity).toBe(1)
    expect(recent?.recency).toBe(1)
    expect(dead).toMatchObject({ earn: 0, demand: 0, rarity: 0.25, recency: 0 })
    expect(earner!.value).toBeGreaterThan(popular!.value)
    expect(popular!.value).toBeGreaterThan(rare!.value)
    expect(rare!.value).toBeGreaterThan(recent!.value)
    expect(recent!.value).toBeGreaterThan(dead!.value)
  })

  it('is per byte: the same earnings on twice the bytes are worth half', () => {
    const [small, big] = valueItems(
      [item('s', { bytes: MiB, earned7d: 1000n }), item('b', { bytes: 2 * MiB, earned7d: 1000n })],
      { now: NOW },
    )
    expect(big!.earn).toBeCloseTo(small!.earn / 2)
  })

  it('halves the recency term every half-life', () => {
    const [v] = valueItems([item('x', { lastUsed: NOW - RECENCY_HALF_LIFE_MS })], { now: NOW })
    expect(v!.recency).toBeCloseTo(0.5)
  })

  it('rejects malformed candidates', () => {
    expect(() => valueItems([item('x', { bytes: -1 })], { now: NOW })).toThrow(/bytes/)
    expect(() => valueItems([item('x', { earned7d: -1n })], { now: NOW })).toThrow(/earned7d/)
    expect(() => planEviction([item('x'), item('x')], { now: NOW, needed: 1 })).toThrow(/twice/)
  })
})

describe('planEviction', () => {
  it('evicts the least valuable, keeps the pinned one, and asks only when it must', () => {
    const a = item('a', { pinned: true, lastUsed: NOW - 3 * DAY })
    const b = item('b', { requests7d: 40 })
    // Budget 60 MiB holding a and b (48 MiB): a third 24 MiB item needs 12 MiB freed.
    const fits = planEviction([a, b], { now: NOW, needed: 48 * MiB + 24 * MiB - 60 * MiB })
    expect(fits).toEqual({
      evict: [b],
      freed: 24 * MiB,
      shortfall: 0,
      needsAsking: [],
      askable: [],
    })
    // Budget 40 MiB: 32 MiB needed, b frees 24, the other 8 only if the user lets a go.
    const ask = planEviction([a, b], { now: NOW, needed: 48 * MiB + 24 * MiB - 40 * MiB })
    expect(ask.evict.map((c) => c.id)).toEqual(['b'])
    expect(ask.shortfall).toBe(8 * MiB)
    expect(ask.needsAsking.map((c) => c.id)).toEqual(['a'])
  })

  it('frees just enough, least valuable first, and needs nothing when nothing is needed', () => {
    const items = [item('hot', { requests7d: 900 }), item('cold'), item('warm', { requests7d: 10 })]
    expect(planEviction(items, { now: NOW, needed: 0 })).toEqual({
      evict: [],
      freed: 0,
      shortfall: 0,
      needsAsking: [],
      askable: [],
    })
    const plan = planEviction(items, { now: NOW, needed: 30 * MiB })
    expect(plan.evict.map((c) => c.id)).toEqual(['cold', 'warm'])
    expect(plan.freed).toBe(48 * MiB)
  })

  it('offers every pinned or own item not playing, least valuable first, suggesting the fewest', () => {
    const items = [
      item('pin-hot', { pinned: true, requests7d: 900 }),
      item('own-cold', { own: true }),
      item('pin-cold', { pinned: true, lastUsed: NOW - 9 * DAY }),
      item('pin-playing', { pinned: true, playing: true }),
      item('free', { bytes: 4 * MiB }),
    ]
    const plan = planEviction(items, { now: NOW, needed: 20 * MiB })
    expect(plan.evict.map((c) => c.id)).toEqual(['free'])
    expect(plan.shortfall).toBe(16 * MiB)
    expect(plan.askable.map((c) => c.id)).toEqual(['pin-cold', 'own-cold', 'pin-hot'])
    expect(plan.needsAsking.map((c) => c.id)).toEqual(['pin-cold'])
  })

  it('evicts items kept only for watching (seed what I watch off) before any seeded one', () => {
    const items = [
      item('seeded-dead', { lastUsed: 0, seeders: 9 }),
      item('watch-only', { watchOnly: true, requests7d: 900, earned7d: 10n ** 15n, seeders: 0 }),
      item('watch-only-2', { watchOnly: true, lastUsed: NOW }),
    ]
    const plan = planEviction(items, { now: NOW, needed: 30 * MiB })
    // Among the watch-only items value still decides: the one without demand goes first.
    expect(plan.evict.map((c) => c.id)).toEqual(['watch-only-2', 'watch-only'])
    expect(planEviction(items, { now: NOW, needed: 60 * MiB }).evict.at(-1)?.id).toBe('seeded-dead')
  })

  it('never offers an item being played, and says clearly when nothing can make room', () => {
    const items = [item('p', { playing: true, pinned: true }), item('own', { own: true })]
    const plan = planEviction(items, { now: NOW, needed: 10 * MiB })
    expect(plan.needsAsking.map((c) => c.id)).toEqual(['own'])
    let err: unknown
    try {
      planEviction(items, { now: NOW, needed: 30 * MiB })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StorageBudgetError)
    expect((err as StorageBudgetError).details).toContain('playing 25165824')
  })

  const candidates = fc.uniqueArray(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 6 }),
      bytes: fc.integer({ min: 0, max: 100 * MiB }),
      pinned: fc.boolean(),
      own: fc.boolean(),
      playing: fc.boolean(),
      earned7d: fc.bigInt({ min: 0n, max: 10n ** 18n }),
      requests7d: fc.nat(10_000),
      seeders: fc.nat(50),
      lastUsed: fc.oneof(fc.constant(0), fc.integer({ min: NOW - 30 * DAY, max: NOW + DAY })),
    }),
    { selector: (c) => c.id, maxLength: 30 },
  )

  it('never evicts protected items, frees what is needed when possible, lower value first (property)', () => {
    fc.assert(
      fc.property(candidates, fc.integer({ min: -MiB, max: 1500 * MiB }), (items, needed) => {
        const free = items.filter((c) => !isProtected(c)).reduce((s, c) => s + c.bytes, 0)
        const askable = items
          .filter((c) => (c.pinned || c.own) && !c.playing)
          .reduce((s, c) => s + c.bytes, 0)
        let plan: ReturnType<typeof planEviction>
        try {
          plan = planEviction(items, { now: NOW, needed })
        } catch (err) {
          expect(err).toBeInstanceOf(StorageBudgetError)
          expect(free + askable).toBeLessThan(needed)
          return
        }
        expect(plan.evict.every((c) => !isProtected(c))).toBe(true)
        expect(plan.needsAsking.every((c) => (c.pinned || c.own) && !c.playing)).toBe(true)
        // What is suggested is the head of what may be asked; nothing asked while nothing is short.
        expect(plan.askable.slice(0, plan.needsAsking.length)).toEqual(plan.needsAsking)
        if (plan.shortfall === 0) expect(plan.askable).toEqual([])
        expect(plan.freed).toBe(plan.evict.reduce((s, c) => s + c.bytes, 0))
        if (needed <= free) {
          expect(plan.freed).toBeGreaterThanOrEqual(needed)
          expect(plan.shortfall).toBe(0)
          expect(plan.needsAsking).toEqual([])
        } else {
          expect(plan.freed).toBe(free)
          const asked = plan.needsAsking.reduce((s, c) => s + c.bytes, 0)
          expect(plan.freed + asked).toBeGreaterThanOrEqual(needed)
        }
        // Lower value before higher: nothing kept unprotected is worth less than anything evicted.
        const value = new Map(valueItems(items, { now: NOW }).map((v) => [v.id, v.value]))
        const evicted = new Set(plan.evict.map((c) => c.id))
        const maxEvicted = Math.max(-1, ...plan.evict.map((c) => value.get(c.id)!))
        for (const c of items)
          if (!isProtected(c) && !evicted.has(c.id))
            expect(value.get(c.id)!).toBeGreaterThanOrEqual(maxEvicted)
        // No more than needed: without its last item the plan would fall short.
        const last = plan.evict.at(-1)
        if (last && plan.shortfall === 0) expect(plan.freed - last.bytes).toBeLessThan(needed)
      }),
      { numRuns: 300 },
    )
  })
})
