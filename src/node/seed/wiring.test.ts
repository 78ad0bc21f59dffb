/**
 * The seed service wired to a real SwarmService (the webtorrent bundle, in Node without
 * WebRTC, over the memory store) as createNode wires them: a download that would pass the
 * budget evicts a seeded item — its torrent out of the client first, then its slices and
 * record — and never one being played.
 */
import 'fake-indexeddb/auto'
import '../../../scripts/test/webtorrentGlobals.ts'
import { afterEach, describe, expect, it } from 'vitest'
import { StorageBudgetError } from '../../shared/errors/seed.ts'
import type { SwarmAddParams } from '../../shared/protocol/methods/swarm.ts'
import { MemoryBackend } from '../store/memoryBackend.ts'
import { openMeta } from '../store/meta.ts'
import { createSliceStore } from '../store/sliceStore.ts'
import { allRecords, openRecords } from '../swarm/records.ts'
import { SwarmService } from '../swarm/service.ts'
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

async function node(budgetMiB: number) {
  const name = `seed-wiring-${n++}`
  const store = createSliceStore({ files: new MemoryBackend(), meta: await openMeta(`${name}-s`) })
  const records = await openRecords(`${name}-r`)
  let swarm: SwarmService | null = null
  const seed = seedService({ dbName: `${name}-settings` })({
    holdings: nodeHoldings({
      store: async () => store,
      records: async () => records,
      swarm: async () => swarm as SwarmService,
      previewMaxBytes: 4 * MiB,
    }),
  })
  await (await seed.settings()).update({ storageBudget: { kind: 'bytes', bytes: budgetMiB * MiB } })
  swarm = new SwarmService(
    {
      store: async () => store,
      records: async () => records,
      cipherFor: async () => null,
      keyFor: async () => null,
      emit: () => {},
      rates: () => seed.rates(),
      ensureRoom: seed.ensureRoom,
    },
    { announce: [] },
  )
  running.push({ swarm, seed })
  return { swarm, seed, store, records }
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
})
