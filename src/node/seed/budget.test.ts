/**
 * The storage budget over the real slice store (memory backend), the swarm's records and the
 * seed settings (fake-indexeddb); the swarm and the previews are fakes that log what eviction
 * asks of them, so the order of its steps shows.
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { registerAllErrors } from '../../shared/errors/registry.ts'
import { ItemInUseError, StorageBudgetError } from '../../shared/errors/seed.ts'
import { ItemNotFoundError } from '../../shared/errors/store.ts'
import { deserializeError, serializeError } from '../../shared/errors/wire.ts'
import { creatorCipher } from '../crypto/content.ts'
import { layout } from '../crypto/layout.ts'
import { MemoryBackend } from '../store/memoryBackend.ts'
import { openMeta } from '../store/meta.ts'
import { publishFile } from '../store/publish.ts'
import { createSliceStore } from '../store/sliceStore.ts'
import type { SliceStore } from '../store/types.ts'
import { allRecords, openRecords, putRecord, type RecordDb } from '../swarm/records.ts'
import { UseTracker } from '../swarm/uses.ts'
import { StorageBudget } from './budget.ts'
import { type HoldingsPreviews, type HoldingsSwarm, nodeHoldings } from './holdings.ts'
import { MiB, openSeedSettings, type SeedSettingsStore } from './settings.ts'

const S = 256 * 1024
const NOW = Date.UTC(2025, 0, 1)
const DAY = 24 * 60 * 60 * 1000
const cipherBytes = (mib: number) => layout(mib * MiB, S).cipherSize
let n = 0

type Preview = { infoHash: string; origin: 'own' | 'peer'; state: string; length?: number }

type Env = {
  store: SliceStore
  records: RecordDb
  settings: SeedSettingsStore
  uses: UseTracker
  budget: StorageBudget
  /** What eviction did, in order: `preview <id>`, `torrent <id>`, `slices <id>`. */
  log: string[]
  previews: Preview[]
  /** Block requests peers made per item (its demand). */
  requests: Map<string, number>
  quota: { value: number | null }
}

async function env(budgetMiB = 40): Promise<Env> {
  const name = `seed-budget-${n++}`
  const real = createSliceStore({ files: new MemoryBackend(), meta: await openMeta(`${name}-s`) })
  const log: string[] = []
  // The same store, logging when eviction deletes an item's slices.
  const store: SliceStore = Object.create(real)
  store.remove = async (id) => {
    log.push(`slices ${id}`)
    await real.remove(id)
  }
  const records = await openRecords(`${name}-r`)
  const settings = await openSeedSettings({ dbName: `${name}-settings` })
  await settings.update({ storageBudget: { kind: 'bytes', bytes: budgetMiB * MiB } })
  const uses = new UseTracker(() => NOW)
  const requests = new Map<string, number>()
  const previews: Preview[] = []
  const swarm: HoldingsSwarm = {
    uses,
    uploaded: () => 0,
    requests: (id) => requests.get(id) ?? 0,
    seeding: () => true,
    remove: async (id) => void log.push(`torrent ${id}`),
  }
  const previewPort: HoldingsPreviews = {
    list: async () => previews,
    remove: async (ih) => {
      log.push(`preview ${ih}`)
      previews.splice(
        previews.findIndex((p) => p.infoHash === ih),
        1,
      )
    },
  }
  const quota = { value: null as number | null }
  const holdings = nodeHoldings({
    store: async () => store,
    records: async () => records,
    swarm: async () => swarm,
    previews: async () => previewPort,
    previewMaxBytes: 4 * MiB,
  })
  const budget = new StorageBudget({
    settings: () => settings,
    holdings,
    quota: async () => quota.value,
    now: () => NOW,
  })
  return { store, records, settings, uses, budget, log, previews, requests, quota }
}

/** An item of `mib` MiB: fetched from peers at `createdAt` unless `own` (then no record). */
async function item(e: Env, id: string, mib: number, o: { own?: boolean; at?: number } = {}) {
  await e.store.createItem({ id, size: mib * MiB, sliceSize: S, contentSalt: new Uint8Array(16) })
  if (!o.own)
    await putRecord(e.records, {
      itemId: id,
      infoHash: id.padEnd(40, '0'),
      origin: 'peer',
      torrentFile: null,
      createdAt: o.at ?? NOW - DAY,
    })
}

const ids = async (store: SliceStore) => (await store.items()).map((i) => i.id).sort()

describe('storage budget', () => {
  it('lets an item in without evicting when it fits, and counts held room until released', async () => {
    const e = await env(40)
    await item(e, 'a', 8)
    const room = await e.budget.ensureRoom(cipherBytes(20))
    expect(e.log).toEqual([])
    // The 20 MiB handed out still count: 24 MiB more would need 12 MiB freed, and only `a`
    // (8 MiB) may go, which is not enough.
    expect((await e.budget.state()).used).toBe(cipherBytes(8) + cipherBytes(20))
    await expect(e.budget.ensureRoom(cipherBytes(24))).rejects.toBeInstanceOf(StorageBudgetError)
    expect(await ids(e.store)).toEqual(['a'])
    room.release()
    expect((await e.budget.state()).used).toBe(cipherBytes(8))
  })

  it('evicts the least valuable first, never pinned, own or playing items, torrent before slices', async () => {
    const e = await env(40)
    await item(e, 'mine', 8, { own: true })
    await item(e, 'pinned', 8, { at: NOW - 30 * DAY })
    await e.settings.setItem('pinned', { pinned: true })
    await item(e, 'old', 8, { at: NOW - 10 * DAY })
    await item(e, 'recent', 8, { at: NOW - 60 * 60 * 1000 })
    await item(e, 'playing', 4, { at: NOW - 40 * DAY })
    e.uses.touch('playing')
    e.previews.push(
      { infoHash: 'p-peer', origin: 'peer', state: 'complete', length: 2 * MiB },
      { infoHash: 'p-own', origin: 'own', state: 'complete', length: MiB },
    )
    // ≈ 39 MiB held; 10 MiB more need ≈ 9 MiB freed: the never-used peer preview, then `old`.
    const room = await e.budget.ensureRoom(cipherBytes(10))
    room.release()
    expect(e.log).toEqual(['preview p-peer', 'torrent old', 'slices old'])
    expect(await ids(e.store)).toEqual(['mine', 'pinned', 'playing', 'recent'])
    expect((await allRecords(e.records)).map((r) => r.itemId).sort()).toEqual([
      'pinned',
      'playing',
      'recent',
    ])
    expect(e.previews.map((p) => p.infoHash)).toEqual(['p-own'])
  })

  it('values demand: an old item peers fetch outlives a recent one nobody asks for', async () => {
    const e = await env(24)
    await item(e, 'old-popular', 10, { at: NOW - 10 * DAY })
    await item(e, 'recent-idle', 10, { at: NOW - 60 * 60 * 1000 })
    e.requests.set('old-popular', 3200)
    await e.budget.ensureRoom(cipherBytes(8))
    expect(e.log).toEqual(['torrent recent-idle', 'slices recent-idle'])
  })

  it('fails with StorageBudgetError, evicting nothing, when only pinned, own or playing items could make room', async () => {
    const e = await env(40)
    await item(e, 'mine', 16, { own: true })
    await item(e, 'pinned', 16)
    await e.settings.setItem('pinned', { pinned: true })
    await item(e, 'peer', 4)
    await item(e, 'playing', 4)
    e.uses.touch('playing')
    const err = await e.budget.ensureRoom(cipherBytes(12)).catch((x: unknown) => x)
    expect(err).toBeInstanceOf(StorageBudgetError)
    expect((err as StorageBudgetError).shortMessage).toMatch(/pinned or published/)
    expect(e.log).toEqual([])
    expect(await ids(e.store)).toEqual(['mine', 'peer', 'pinned', 'playing'])
  })

  it('asks which pinned or own items may go, then removes the chosen ones so a retry fits', async () => {
    const e = await env(40)
    await item(e, 'mine', 16, { own: true })
    await item(e, 'pinned', 16, { at: NOW - 9 * DAY })
    await e.settings.setItem('pinned', { pinned: true, pricePerSlice: 5n })
    await item(e, 'peer', 4)
    await item(e, 'playing', 4)
    e.uses.touch('playing')
    const err = (await e.budget.ensureRoom(cipherBytes(12)).catch((x: unknown) => x)) as
      | StorageBudgetError
      | undefined
    // The question crosses postMessage with the error (structured clone of its wire form).
    registerAllErrors()
    const back = deserializeError(structuredClone(serializeError(err))) as StorageBudgetError
    expect(back).toBeInstanceOf(StorageBudgetError)
    const ask = back.ask
    expect(ask?.bytes).toBe(cipherBytes(12))
    // ≈ 40 MiB held + 12 − 40: `peer` frees 4, the other ≈ 8 must come from a protected item.
    expect(ask?.shortfall).toBeGreaterThan(7 * MiB)
    expect(ask?.candidates.map((c) => [c.id, c.pinned, c.own, c.suggested])).toEqual([
      ['pinned', true, false, true], // older, so less valuable: suggested
      ['mine', false, true, false],
    ])
    expect(e.log).toEqual([])

    // The user's answer: the suggested one. Its pin and price go with it.
    const chosen = ask?.candidates.filter((c) => c.suggested).map((c) => c.id) ?? []
    expect(await e.budget.evictChosen(chosen)).toEqual({
      evicted: ['pinned'],
      freed: cipherBytes(16),
    })
    expect(e.settings.item('pinned')).toMatchObject({ pinned: false, pricePerSlice: null })
    // The retry: 16 MiB freed is room enough; nothing else goes.
    const room = await e.budget.ensureRoom(cipherBytes(12))
    room.release()
    expect(e.log).toEqual(['torrent pinned', 'slices pinned'])
    expect(await ids(e.store)).toEqual(['mine', 'peer', 'playing'])
  })

  it('removes nothing chosen when one choice is playing or unknown', async () => {
    const e = await env(40)
    await item(e, 'a', 4)
    await item(e, 'playing', 4)
    e.uses.touch('playing')
    await expect(e.budget.evictChosen(['a', 'playing'])).rejects.toBeInstanceOf(ItemInUseError)
    await expect(e.budget.evictChosen(['a', 'gone'])).rejects.toBeInstanceOf(ItemNotFoundError)
    await expect(e.budget.evictChosen([])).rejects.toThrow(/ids/)
    expect(e.log).toEqual([])
    expect(await ids(e.store)).toEqual(['a', 'playing'])
  })

  it('with "seed what I watch" off, a watched item goes before anything still seeded', async () => {
    const e = await env(40)
    await item(e, 'watched', 8, { at: NOW - 60 * 60 * 1000 })
    e.previews.push({ infoHash: 'p-peer', origin: 'peer', state: 'complete', length: 8 * MiB })
    // On: the never-used preview is worth less than the item watched an hour ago.
    const plan = async () => {
      const r = await e.budget.ensureRoom(cipherBytes(30))
      r.release()
      return e.log.splice(0)
    }
    expect(await plan()).toEqual(['preview p-peer'])
    e.previews.push({ infoHash: 'p-peer', origin: 'peer', state: 'complete', length: 8 * MiB })
    await e.settings.update({ seedWhatIWatch: false })
    expect(await plan()).toEqual(['torrent watched', 'slices watched'])
  })

  it('refuses an item larger than the whole budget, naming both sizes', async () => {
    const e = await env(16)
    await item(e, 'peer', 4)
    const err = await e.budget.ensureRoom(cipherBytes(20)).catch((x: unknown) => x)
    expect(err).toBeInstanceOf(StorageBudgetError)
    expect((err as StorageBudgetError).shortMessage).toMatch(
      /larger than your whole storage budget/,
    )
    expect(e.log).toEqual([])
  })

  it('resolves a share of the quota, and no limit while the quota is unknown', async () => {
    const e = await env(40)
    await e.settings.update({ storageBudget: { kind: 'share', share: 0.5 } })
    expect(await e.budget.budget()).toBe(Number.POSITIVE_INFINITY)
    e.quota.value = 80 * MiB
    expect(await e.budget.budget()).toBe(40 * MiB)
  })

  it('checks a publish once, before it stores anything, and evicts for it', async () => {
    const e = await env(16)
    await item(e, 'old', 14, { at: NOW - 10 * DAY })
    const bytes = new Uint8Array(2 * MiB).map((_, i) => i % 251)
    const asked: number[] = []
    const r = await publishFile(
      {
        store: e.store,
        estimate: async () => ({ usage: 0, quota: 2 ** 40 }),
        budget: (b, o) => {
          asked.push(b)
          return e.budget.ensureRoom(b, o)
        },
      },
      { input: new Blob([bytes]), cipherOf: creatorCipher(new Uint8Array(32).fill(7)) },
    )
    expect(asked).toEqual([r.cipherSize])
    expect(e.log).toEqual(['torrent old', 'slices old'])
    expect(await ids(e.store)).toEqual([r.id])
  })

  it('a refused publish creates nothing', async () => {
    const e = await env(16)
    await item(e, 'mine', 14, { own: true })
    const publish = publishFile(
      {
        store: e.store,
        estimate: async () => ({ usage: 0, quota: 2 ** 40 }),
        budget: (b, o) => e.budget.ensureRoom(b, o),
      },
      {
        input: new Blob([new Uint8Array(4 * MiB)]),
        cipherOf: creatorCipher(new Uint8Array(32).fill(7)),
      },
    )
    await expect(publish).rejects.toBeInstanceOf(StorageBudgetError)
    expect(await ids(e.store)).toEqual(['mine'])
  })
})
