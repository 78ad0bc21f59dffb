/**
 * The seed service wired to a real SwarmService (the webtorrent bundle, in Node without
 * WebRTC, over the memory store) as createNode wires them: a download that would pass the
 * budget evicts a seeded item — its torrent out of the client first, then its slices and
 * record — and never one being played; "seed what I watch" takes a watched item out of the
 * swarm after playback and brings it back when it plays again, is pinned or the setting is on.
 */
import 'fake-indexeddb/auto'
import '../../../scripts/test/webtorrentGlobals.ts'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../../../scripts/test/waitFor.ts'
import { StorageBudgetError } from '../../shared/errors/seed.ts'
import type { SwarmAddParams } from '../../shared/protocol/methods/swarm.ts'
import { MemoryBackend } from '../store/memoryBackend.ts'
import { openMeta } from '../store/meta.ts'
import { createSliceStore } from '../store/sliceStore.ts'
import { allRecords, openRecords } from '../swarm/records.ts'
import { SwarmService } from '../swarm/service.ts'
import { PLAYING_MS } from '../swarm/uses.ts'
import { nodeHoldings } from './holdings.ts'
import { type SeedService, seedService } from './service.ts'
import { MiB } from './settings.ts'

let n = 0
const running: { swarm: SwarmService; seed: SeedService }[] = []
afterEach(() => {
  for (const r of running.splice(0)) {
    r.swarm.stop()
    r.seed.stop()
  }
})

async function node(budgetMiB: number, clock: { t: number } = { t: Date.now() }) {
  const name = `seed-wiring-${n++}`
  const store = createSliceStore({ files: new MemoryBackend(), meta: await openMeta(`${name}-s`) })
  const records = await openRecords(`${name}-r`)
  let swarm = null as SwarmService | null
  const seed = seedService({ dbName: `${name}-settings` })({
    holdings: nodeHoldings({
      store: async () => store,
      records: async () => records,
      swarm: async () => swarm as SwarmService,
      previewMaxBytes: 4 * MiB,
    }),
  })
  await (await seed.settings()).update({ storageBudget: { kind: 'bytes', bytes: budgetMiB * MiB } })
  /** A swarm over the node's store and records, as a (re)opened tab starts one. */
  const open = (): SwarmService => {
    swarm = new SwarmService(
      {
        store: async () => store,
        records: async () => records,
        cipherFor: async () => null,
        keyFor: async () => null,
        emit: () => {},
        rates: () => seed.rates(),
        seedPolicy: () => seed.seedPolicy(),
        ensureRoom: seed.ensureRoom,
      },
      { announce: [], now: () => clock.t },
    )
    running.push({ swarm, seed })
    return swarm
  }
  return { swarm: open(), open, seed, store, records }
}

const content = (hex: string, mib: number): SwarmAddParams => ({
  content: {
    infoHash: hex.repeat(40),
    size: mib * MiB,
    sliceSize: 256 * 1024,
    contentSalt: '00'.repeat(16),
  },
})

describe('seed service wired to the swarm', () => {
  it('a download past the budget evicts the seeded item: torrent first, then slices and record', async () => {
    const { swarm, store, records } = await node(16)
    const first = await swarm.add(content('a', 10))
    const client = await swarm.webtorrent()
    expect(client.torrents.map((t) => t.infoHash)).toEqual([first.infoHash])
    // The caps are on every torrent the client adds (rateCaps.ts).
    expect(Object.hasOwn(client.torrents[0] as object, '_updateWire')).toBe(true)

    const second = await swarm.add(content('b', 10))
    expect(client.torrents.map((t) => t.infoHash)).toEqual([second.infoHash])
    expect(await store.item(first.itemId)).toBeNull()
    expect(await store.item(second.itemId)).not.toBeNull()
    expect((await allRecords(records)).map((r) => r.itemId)).toEqual([second.itemId])
    expect((await swarm.list()).map((s) => s.itemId)).toEqual([second.itemId])
  })

  it('never evicts an item being played: the download fails and nothing is lost', async () => {
    const { swarm, store } = await node(16)
    const first = await swarm.add(content('c', 10))
    swarm.setPosition(first.itemId, 0) // the player read it just now
    await expect(swarm.add(content('d', 10))).rejects.toBeInstanceOf(StorageBudgetError)
    expect(await store.item(first.itemId)).not.toBeNull()
    expect(await store.item('d'.repeat(40))).toBeNull()
    const client = await swarm.webtorrent()
    expect(client.torrents.map((t) => t.infoHash)).toEqual([first.infoHash])
  })

  it('"seed what I watch" off: a watched item leaves the swarm after playback and stays on disk', async () => {
    const clock = { t: Date.now() }
    const { swarm, seed, store } = await node(64, clock)
    const settings = await seed.settings()
    await settings.update({ seedWhatIWatch: false })
    const client = await swarm.webtorrent()
    const { itemId, infoHash } = await swarm.add(content('e', 2))
    swarm.setPosition(itemId, 0) // the player reads it
    const inSwarm = () => client.torrents.map((t) => t.infoHash)

    clock.t += PLAYING_MS - 1_000
    await swarm.applySeedPolicy()
    expect(inSwarm()).toEqual([infoHash]) // still playing
    clock.t += 2_000
    await swarm.applySeedPolicy()
    expect(inSwarm()).toEqual([])
    expect(await store.item(itemId)).not.toBeNull()
    expect((await seed.usage()).items).toMatchObject([{ id: itemId, seeding: false }])

    // Pinned: back in the swarm at once (the settings tell it), whatever the setting says.
    await settings.setItem(itemId, { pinned: true })
    await waitFor('the pinned item back in the swarm', () => swarm.seeding(itemId))
    expect(inSwarm()).toEqual([infoHash])
    await settings.setItem(itemId, { pinned: false })
    clock.t += PLAYING_MS
    await swarm.applySeedPolicy()
    expect(inSwarm()).toEqual([])

    // Played again: a read of a slice it lacks brings it back to fetch it.
    const reading = new AbortController()
    const read = swarm.slice(itemId, 0, reading.signal).catch((err: Error) => err)
    await waitFor('the played item back in the swarm', () => swarm.seeding(itemId))
    reading.abort()
    await read
    clock.t += PLAYING_MS + 1
    await swarm.applySeedPolicy()
    expect(inSwarm()).toEqual([])

    // The setting on: every parked item comes back.
    await settings.update({ seedWhatIWatch: true })
    await waitFor('the item back in the swarm', () => swarm.seeding(itemId))
    clock.t += 10 * PLAYING_MS
    await swarm.applySeedPolicy()
    expect(inSwarm()).toEqual([infoHash])
  })

  it('"seed what I watch" off: a reopened tab resumes pinned and own items, not watched ones', async () => {
    const { swarm, open, seed } = await node(64)
    const settings = await seed.settings()
    const watched = await swarm.add(content('f', 2))
    const pinned = await swarm.add(content('7', 2))
    await settings.setItem(pinned.itemId, { pinned: true })
    await settings.update({ seedWhatIWatch: false })
    swarm.stop()
    const again = open()
    expect((await again.list()).map((s) => s.itemId)).toEqual([pinned.itemId])
    expect(again.seeding(watched.itemId)).toBe(false)
    // Still held, and the first to go for room (budget.test.ts shows the order).
    expect((await seed.usage()).items.map((i) => [i.id, i.seeding]).sort()).toEqual(
      [
        [pinned.itemId, true],
        [watched.itemId, false],
      ].sort(),
    )
  })
})
