import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { SeedSettingsError } from '../../shared/errors/seed.ts'
import type { RateLimits } from '../swarm/rateCaps.ts'
import { createSeedHandlers } from './handlers.ts'
import type { Holding, Holdings } from './holdings.ts'
import { type SeedService, type StoragePort, seedService } from './service.ts'
import { MiB } from './settings.ts'

let n = 0
const ctx = { signal: new AbortController().signal }

function holdings(list: Holding[], playing: string[] = []): Holdings {
  return {
    list: async () => list,
    playing: async () => new Set(playing),
    evict: async () => {},
    settled: async () => {},
  }
}

function service(
  o: {
    storage?: StoragePort
    list?: Holding[]
    playing?: string[]
    holdings?: Holdings
    dev?: boolean
    turn?: boolean
    earned?: (itemId: string) => bigint
    seeders?: (itemId: string) => number
  } = {},
) {
  const registered: Record<string, unknown>[] = []
  const seed = seedService({
    dbName: `seed-service-${n++}`,
    dev: o.dev ?? false,
    turn: o.turn ?? true,
  })({
    rpc: { register: (h) => void registered.push(h) },
    holdings: o.holdings ?? holdings(o.list ?? [], o.playing),
    storage: o.storage,
    ...(o.earned ? { earned: o.earned } : {}),
    ...(o.seeders ? { seeders: o.seeders } : {}),
  })
  return { seed, registered }
}

const handlers = (seed: SeedService) => createSeedHandlers(seed)

describe('seed service', () => {
  it('registers its seed.* methods and serves settings with prices as decimal wei strings', async () => {
    const { seed, registered } = service()
    expect(Object.keys(registered[0] ?? {}).sort()).toEqual([
      'seed.debug',
      'seed.evict',
      'seed.persist',
      'seed.setItem',
      'seed.setSettings',
      'seed.settings',
      'seed.usage',
    ])
    await seed.start()
    const h = handlers(seed)
    expect(await h['seed.settings'](undefined, ctx)).toMatchObject({
      seedWhatIWatch: true,
      defaultPricePerSlice: '0',
    })
    const next = await h['seed.setSettings'](
      { uploadBytesPerSec: 2 * MiB, defaultPricePerSlice: '1000000000000' },
      ctx,
    )
    expect(next).toMatchObject({
      uploadBytesPerSec: 2 * MiB,
      defaultPricePerSlice: '1000000000000',
    })
    expect((await seed.settings()).get().defaultPricePerSlice).toBe(1_000_000_000_000n)
    seed.stop()
  })

  it('refuses a bad price or field with SeedSettingsError naming it', async () => {
    const { seed } = service()
    const h = handlers(seed)
    for (const bad of ['-1', '1.5', '0x10', '', '01']) {
      const err = await h['seed.setSettings']({ defaultPricePerSlice: bad }, ctx).catch(
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(SeedSettingsError)
      expect((err as SeedSettingsError).details).toMatch(/defaultPricePerSlice/)
    }
    const err = await h['seed.setSettings']({ uploadBytesPerSec: 1 }, ctx).catch((e: unknown) => e)
    expect((err as SeedSettingsError).details).toMatch(/uploadBytesPerSec/)
    seed.stop()
  })

  it('pins and prices items; priceOf is the item price, else the default', async () => {
    const { seed } = service()
    await seed.start()
    const h = handlers(seed)
    expect(seed.priceOf('a')).toBe(0n)
    await h['seed.setSettings']({ defaultPricePerSlice: '7' }, ctx)
    expect(seed.priceOf('a')).toBe(7n)
    const item = await h['seed.setItem']({ itemId: 'a', pinned: true, pricePerSlice: '99' }, ctx)
    expect(item).toEqual({
      id: 'a',
      pinned: true,
      pricePerSlice: '99',
      effectivePricePerSlice: '99',
    })
    expect(seed.priceOf('a')).toBe(99n)
    const back = await h['seed.setItem']({ itemId: 'a', pricePerSlice: null }, ctx)
    expect(back).toEqual({
      id: 'a',
      pinned: true,
      pricePerSlice: null,
      effectivePricePerSlice: '7',
    })
    await expect(h['seed.setItem']({ itemId: 'a', pricePerSlice: 'x' }, ctx)).rejects.toThrow(
      SeedSettingsError,
    )
    seed.stop()
  })

  it('gives the swarm its rates and every change to them', async () => {
    const { seed } = service()
    const rates = await seed.rates()
    expect(rates.current()).toEqual({ upload: null, download: null })
    const heard: RateLimits[] = []
    const off = rates.onChange((l) => heard.push(l))
    await (await seed.settings()).update({ uploadBytesPerSec: 2 * MiB, downloadBytesPerSec: MiB })
    off()
    await (await seed.settings()).update({ uploadBytesPerSec: 3 * MiB })
    expect(heard).toEqual([{ upload: 2 * MiB, download: MiB }])
    seed.stop()
  })

  it('reports usage per item against the budget and the quota', async () => {
    const storage: StoragePort = {
      estimate: async () => ({ usage: 30 * MiB, quota: 400 * MiB }),
      persisted: async () => false,
    }
    const list: Holding[] = [
      {
        id: 'a',
        kind: 'content',
        bytes: 10 * MiB,
        held: 5 * MiB,
        own: false,
        lastUsed: 1,
        served: 0,
        requests: 12,
        seeding: true,
      },
      {
        id: 'p',
        kind: 'preview',
        bytes: MiB,
        held: MiB,
        own: true,
        lastUsed: 0,
        served: 0,
        requests: 0,
        seeding: true,
      },
    ]
    const { seed } = service({
      storage,
      list,
      playing: ['a'],
      earned: (id) => (id === 'a' ? 1_500_000_000_000_000_001n : 0n),
      seeders: (id) => (id === 'a' ? 3 : 0),
    })
    await (await seed.settings()).setItem('a', { pinned: true })
    const u = await handlers(seed)['seed.usage'](undefined, ctx)
    expect(u).toMatchObject({
      used: 11 * MiB,
      budget: 100 * MiB, // a quarter of the quota by default
      quota: 400 * MiB,
      originUsage: 30 * MiB,
      persisted: false,
    })
    expect(u.items[0]).toMatchObject({
      id: 'a',
      pinned: true,
      playing: true,
      held: 5 * MiB,
      seeding: true,
      demand: 12,
      earned: '1500000000000000001',
      seeders: 3,
    })
    // Previews have no ledger lines nor availability: unknown rather than 0.
    expect(u.items[1]).toMatchObject({
      id: 'p',
      kind: 'preview',
      own: true,
      playing: false,
      earned: null,
      seeders: null,
    })
    seed.stop()
    // Without the ports the node cannot say: null, not 0.
    const bare = service({ list: list.slice(0, 1) }).seed
    expect((await bare.usage()).items[0]).toMatchObject({ earned: null, seeders: null })
    bare.stop()
  })

  it('asks for persistence where persist() exists, and says so where it does not (a worker)', async () => {
    let asked = 0
    const window: StoragePort = {
      estimate: async () => ({}),
      persisted: async () => false,
      persist: async () => {
        asked++
        return true
      },
    }
    const inWindow = service({ storage: window }).seed
    expect(await inWindow.persist()).toEqual({ persisted: true, supported: true })
    expect(asked).toBe(1)
    const worker: StoragePort = { estimate: async () => ({}), persisted: async () => false }
    expect(await service({ storage: worker }).seed.persist()).toEqual({
      persisted: false,
      supported: false,
    })
    expect(await service().seed.persist()).toEqual({ persisted: false, supported: false })
    const u = await service({ storage: worker }).seed.usage()
    expect(u).toMatchObject({ quota: null, budget: null, persisted: false })
  })

  it('seed.debug (the bench hook) makes room through the budget on a dev chain only', async () => {
    const item = (id: string): Holding => ({
      id,
      kind: 'content',
      bytes: 10 * MiB,
      held: 10 * MiB,
      own: false,
      lastUsed: 1,
      served: 0,
      requests: 0,
      seeding: true,
    })
    const list = [item('a'), item('b'), item('c')]
    // Files deleted behind the evictions, 30 ms after the last one.
    let files = Promise.resolve()
    const live: Holdings = {
      list: async () => [...list],
      playing: async () => new Set(),
      evict: async (h) => {
        list.splice(list.indexOf(h), 1)
        files = new Promise((resolve) => setTimeout(resolve, 30))
      },
      settled: () => files,
    }
    const off = service({ holdings: live }).seed
    await expect(off.debug({ ensureRoom: MiB })).rejects.toThrow(/development chain/)
    expect(list).toHaveLength(3)
    const { seed } = service({ holdings: live, dev: true })
    await (await seed.settings()).update({ storageBudget: { kind: 'bytes', bytes: 30 * MiB } })
    const r = await handlers(seed)['seed.debug']({ ensureRoom: 20 * MiB }, ctx)
    expect(r.evicted.every((id) => !list.some((h) => h.id === id))).toBe(true)
    expect(r.evicted).toHaveLength(2)
    expect(list).toHaveLength(1)
    expect(r.ms).toBeGreaterThanOrEqual(0)
    expect(r.filesMs).toBeGreaterThanOrEqual(r.ms + 25)
    // The room is handed back: asking again for the freed bytes evicts nothing more.
    expect((await seed.debug({ ensureRoom: 20 * MiB })).evicted).toEqual([])
    seed.stop()
    off.stop()
  })

  it('turns privacy mode on only where the relay has a TURN server, and reports real changes', async () => {
    const without = service({ turn: false }).seed
    const err = await handlers(without)
      ['seed.setSettings']({ privacyMode: true }, ctx)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SeedSettingsError)
    expect((err as SeedSettingsError).details).toMatch(/^privacyMode:/)
    expect((await without.settings()).get().privacyMode).toBe(false)
    // Turning it off, or leaving it alone, is always allowed there.
    await handlers(without)['seed.setSettings']({ privacyMode: false }, ctx)
    without.stop()

    const { seed } = service()
    const privacy = await seed.privacy()
    const seen: boolean[] = []
    privacy.onChange((on) => seen.push(on))
    const h = handlers(seed)
    expect(await h['seed.setSettings']({ privacyMode: true }, ctx)).toMatchObject({
      privacyMode: true,
    })
    await h['seed.setSettings']({ uploadBytesPerSec: 2 * MiB }, ctx)
    await h['seed.setSettings']({ privacyMode: true }, ctx)
    await h['seed.setSettings']({ privacyMode: false }, ctx)
    expect(seen).toEqual([true, false])
    expect(privacy.current()).toBe(false)
    seed.stop()
  })
})
