/**
 * SwarmService through its public API with the real webtorrent bundle, in Node without
 * WebRTC: no peer ever connects, so these tests cover what needs none — seeding, adding,
 * resolving, slices, stats and resume — and feed a "peer" piece straight into the torrent's
 * chunk store to see which key authenticates it (the `cipherFor` component's).
 */
import 'fake-indexeddb/auto'
import '../../../scripts/test/webtorrentGlobals.ts'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it } from 'vitest'
import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { waitFor } from '../../../scripts/test/waitFor.ts'
import { QuotaExceededError } from '../../shared/errors/store.ts'
import { SwarmItemNotFoundError } from '../../shared/errors/swarm.ts'
import type { SwarmContent } from '../../shared/protocol/methods/swarm.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { type SliceCipher, sliceCipher } from '../crypto/content.ts'
import { MemoryBackend } from '../store/memoryBackend.ts'
import { openMeta } from '../store/meta.ts'
import { publishFile } from '../store/publish.ts'
import { createSliceStore } from '../store/sliceStore.ts'
import type { SliceStore } from '../store/types.ts'
import { bencode } from '../torrent/bencode.ts'
import { parseTorrentFile } from '../torrent/metadata.ts'
import { allRecords, openRecords, putRecord, type RecordDb } from './records.ts'
import { SwarmService } from './service.ts'

const SLICE = 65_536
const plaintext = new Uint8Array(150_000).map((_, i) => (i * 31) % 253)
let n = 0

type Node = {
  swarm: SwarmService
  store: SliceStore
  records: RecordDb
  events: NodeEvent[]
  /** Item ids the swarm asked `cipherFor` about. */
  asked: string[]
  /** Keys handed out by `keyFor` (the swarm should wipe them). */
  handed: Uint8Array[]
}

const running: SwarmService[] = []
afterEach(() => {
  for (const s of running.splice(0)) s.stop()
})

async function node(
  o: {
    cipher?: SliceCipher | null
    keys?: Map<string, Uint8Array>
    reuse?: Node
    /** The backend (e.g. with a quota); a fresh one without. */
    files?: MemoryBackend
    /** Wraps the store the swarm gets (fault injection). */
    wrap?: (s: SliceStore) => SliceStore
    ensureQuota?: (bytes: number) => Promise<void>
  } = {},
): Promise<Node> {
  const name = `swarm-service-${n++}`
  const inner =
    o.reuse?.store ??
    createSliceStore({
      files: o.files ?? new MemoryBackend(),
      meta: await openMeta(`${name}-store`),
    })
  const store = o.wrap ? o.wrap(inner) : inner
  const records = o.reuse?.records ?? (await openRecords(`${name}-records`))
  const events: NodeEvent[] = []
  const asked: string[] = []
  const handed: Uint8Array[] = []
  const swarm = new SwarmService(
    {
      store: async () => store,
      records: async () => records,
      cipherFor: async (itemId) => {
        asked.push(itemId)
        return o.cipher ?? null
      },
      keyFor: async (itemId) => {
        const k = o.keys?.get(itemId)?.slice() ?? null
        if (k) handed.push(k)
        return k
      },
      emit: (e) => events.push(e),
      ...(o.ensureQuota ? { ensureQuota: o.ensureQuota } : {}),
    },
    { announce: [] },
  )
  running.push(swarm)
  return { swarm, store, records, events, asked, handed }
}

async function publish(store: SliceStore, key: Uint8Array) {
  return publishFile(
    { store, estimate: async () => ({ usage: 0, quota: 1e12 }) },
    {
      input: new Blob([plaintext]),
      cipherOf: (salt) => sliceCipher(key, salt),
      sliceSize: SLICE,
      name: 'clip.bin',
    },
  )
}

type PieceStore = { put(i: number, b: Uint8Array, cb: (err: Error | null) => void): void }

/** Hands piece i to the torrent's chunk store as webtorrent does once a peer's piece hashed right. */
function putPiece(t: Torrent, i: number, bytes: Uint8Array): Promise<Error | null> {
  return new Promise((resolve) => (t.store as unknown as PieceStore).put(i, bytes, resolve))
}

/** The swarm record of a peer's item whose .torrent this node holds (as after a reload). */
function holdTorrentFile(
  records: Parameters<typeof putRecord>[0],
  infoHash: string,
  torrentFile: Uint8Array | null,
): Promise<void> {
  return putRecord(records, {
    itemId: infoHash,
    infoHash,
    origin: 'peer',
    torrentFile,
    createdAt: Date.now(),
  })
}

/**
 * A node fetching a seeded item whose .torrent it already has (as after a reload), with its
 * torrent ready in webtorrent: pieces can be handed to its chunk store.
 */
async function fetching(
  o: Parameters<typeof node>[0],
  seeded: { infoHash: string; torrentFile: Uint8Array | null; content: SwarmContent },
) {
  const f = await node(o)
  const { infoHash, torrentFile, content } = seeded
  await holdTorrentFile(f.records, infoHash, torrentFile)
  await f.swarm.add({ content })
  const wt = await f.swarm.webtorrent()
  const t = await waitFor('the torrent', () => wt.torrents.find((x) => x.infoHash === infoHash), {
    timeoutMs: 10_000,
    everyMs: 20,
  })
  await waitFor('the torrent to be ready', () => t.ready && t.store, {
    timeoutMs: 10_000,
    everyMs: 20,
  })
  return { ...f, t }
}

describe('SwarmService', () => {
  it('seeds a complete item: infoHash, the free key from keyFor, resolve, slices, stats and resume', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32))
    const a = await node({ keys: new Map() })
    const r = await publish(a.store, key)
    const withKey = await node({ keys: new Map([[r.id, key]]), reuse: a })
    a.swarm.stop()

    const info = await withKey.swarm.seed(r.id)
    expect(info.itemId).toBe(r.id)
    expect(info.infoHash).toMatch(/^[0-9a-f]{40}$/)
    expect(info.magnet).toContain(`xt=urn:btih:${info.infoHash}`)
    expect(info.content).toEqual({
      infoHash: info.infoHash,
      contentRoot: bytesToHex(r.contentRoot),
      name: 'clip.bin',
      mime: undefined,
      size: plaintext.length,
      sliceSize: SLICE,
      contentSalt: bytesToHex(r.contentSalt),
    })
    expect(info.key).toBeUndefined()
    expect(withKey.handed).toEqual([])

    // A free seed carries the key access holds; the swarm zeroes its copy after.
    const free = await withKey.swarm.seed(r.id, { free: true })
    expect(free.infoHash).toBe(info.infoHash) // the remembered torrent, not a new one
    expect(free.key).toBe(bytesToHex(key))
    expect(withKey.handed).toHaveLength(1)
    expect(withKey.handed[0]).toEqual(new Uint8Array(32))
    // Own items are never verified against a key: the swarm did not ask access.
    expect(withKey.asked).toEqual([])

    const recs = await allRecords(withKey.records)
    expect(recs).toHaveLength(1)
    expect(recs[0]).toMatchObject({ itemId: r.id, infoHash: info.infoHash, origin: 'own' })
    expect(recs[0]!.torrentFile?.length).toBeGreaterThan(0)

    expect(await withKey.swarm.resolve(r.id)).toBe(r.id)
    expect(await withKey.swarm.resolve(info.infoHash.toUpperCase())).toBe(r.id)
    expect(await withKey.swarm.resolve('f'.repeat(40))).toBeNull()

    await expect(withKey.swarm.slice(r.id, r.count - 1)).resolves.toBeUndefined()
    await expect(withKey.swarm.slice('nothing', 0)).rejects.toBeInstanceOf(SwarmItemNotFoundError)

    const stats = await withKey.swarm.stats(info.infoHash)
    expect(stats).toMatchObject({ itemId: r.id, count: 3, present: 3, peers: [], name: 'clip.bin' })
    expect([...stats.have]).toEqual([0b1110_0000])
    expect((await withKey.swarm.list()).map((s) => s.itemId)).toEqual([r.id])
    await expect(withKey.swarm.stats('f'.repeat(40))).rejects.toBeInstanceOf(SwarmItemNotFoundError)

    // A reopened tab: a new service over the same store and records resumes the item.
    withKey.swarm.stop()
    const reopened = await node({ reuse: withKey })
    expect((await reopened.swarm.list()).map((s) => [s.itemId, s.infoHash])).toEqual([
      [r.id, info.infoHash],
    ])
    expect(await reopened.swarm.resolve(info.infoHash)).toBe(r.id)
  })

  it('refuses to seed an unknown or incomplete item', async () => {
    const a = await node()
    await expect(a.swarm.seed('missing')).rejects.toBeInstanceOf(SwarmItemNotFoundError)
    await a.store.createItem({
      id: 'half',
      size: 100_000,
      sliceSize: SLICE,
      contentSalt: new Uint8Array(16),
      state: 'partial',
    })
    await expect(a.swarm.seed('half')).rejects.toThrow(/not complete/)
    await expect(a.swarm.seed('half')).rejects.toBeInstanceOf(SwarmItemNotFoundError)
    expect(await allRecords(a.records)).toEqual([])
    expect(await a.swarm.list()).toEqual([])
  })

  it('adds a card’s content as a partial item, after checking its infoHash and salt', async () => {
    const a = await node()
    const infoHash = 'AB'.repeat(20)
    const content: SwarmContent = {
      infoHash,
      size: 200_000,
      sliceSize: SLICE,
      contentSalt: '07'.repeat(16),
      name: 'remote.bin',
      mime: 'video/mp4',
    }
    await expect(a.swarm.add({ content: { ...content, infoHash: 'xyz' } })).rejects.toThrow(
      RangeError,
    )
    await expect(
      a.swarm.add({ content: { ...content, contentSalt: '07'.repeat(15) } }),
    ).rejects.toThrow(/expected 16 bytes/)
    expect(await a.store.items()).toEqual([])

    const info = await a.swarm.add({ content })
    const id = infoHash.toLowerCase()
    expect(info).toMatchObject({ itemId: id, infoHash: id })
    expect(info.magnet).toContain(`xt=urn:btih:${id}`)
    const item = await a.store.item(id)
    expect(item).toMatchObject({ state: 'partial', size: 200_000, count: 4, name: 'remote.bin' })
    expect([...item!.contentSalt]).toEqual(new Array(16).fill(7))
    // The swarm asked access for the item's AEAD context, by item id, to verify peers' slices.
    expect(a.asked).toEqual([id])
    expect(await allRecords(a.records)).toMatchObject([
      { itemId: id, infoHash: id, origin: 'peer', torrentFile: null, mime: 'video/mp4' },
    ])
    expect(await a.swarm.resolve(infoHash)).toBe(id)
    expect(await a.swarm.stats(id)).toMatchObject({ present: 0, count: 4, done: false })

    // Adding it again keeps the item and its record (one row per infoHash).
    expect((await a.swarm.add({ content })).itemId).toBe(id)
    expect(await a.store.items()).toHaveLength(1)
    expect(await allRecords(a.records)).toHaveLength(1)

    // A slice nobody has yet: waits, and stops waiting when told to.
    const wait = a.swarm.slice(id, 0, AbortSignal.timeout(100))
    await expect(wait).rejects.toThrow()
    expect(await a.store.has(id, 0)).toBe(false)
  })

  it('authenticates a peer item’s pieces with the cipherFor context, not a key of its own', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32))
    const seeder = await node()
    const r = await publish(seeder.store, key)
    const { infoHash, content } = await seeder.swarm.seed(r.id)
    const torrentFile = (await allRecords(seeder.records))[0]!.torrentFile
    const pieces = await Promise.all(
      Array.from({ length: r.count }, (_, i) => seeder.store.getSlice(r.id, i)),
    )

    /** A fetching node that already has the .torrent (as after a reload) and `cipher`. */
    const fetcher = (cipher: SliceCipher | null) =>
      fetching({ cipher }, { infoHash, torrentFile, content })

    // The right context: a piece is stored, and the waiting `slice` call resolves.
    const good = await fetcher(await sliceCipher(key, r.contentSalt))
    expect(good.asked).toEqual([infoHash])
    const waiting = good.swarm.slice(infoHash, 1)
    expect(await putPiece(good.t, 1, pieces[1]!)).toBeNull()
    await waiting
    expect(await good.store.getSlice(infoHash, 1)).toEqual(pieces[1])
    expect((await good.swarm.stats(infoHash)).present).toBe(1)

    // Another key (what a node's own derivation would give): the same bytes are refused.
    const other = await sliceCipher(crypto.getRandomValues(new Uint8Array(32)), r.contentSalt)
    const bad = await fetcher(other)
    expect(bad.asked).toEqual([infoHash])
    expect(await putPiece(bad.t, 1, pieces[1]!)).toBeInstanceOf(Error)
    expect(await bad.store.has(infoHash, 1)).toBe(false)

    // No key at all (a paid card not bought): pieces are stored unverified beyond SHA-1.
    const keyless = await fetcher(null)
    expect(await putPiece(keyless.t, 0, pieces[0]!)).toBeNull()
    expect(await keyless.store.has(infoHash, 0)).toBe(true)
  })

  it('refuses a download the quota cannot hold before fetching anything, creating nothing', async () => {
    const content: SwarmContent = {
      infoHash: 'e3'.repeat(20),
      size: 200_000,
      sliceSize: SLICE,
      contentSalt: '07'.repeat(16),
    }
    // The estimate says it does not fit.
    const estimated = await node({
      ensureQuota: async (bytes) => {
        throw new QuotaExceededError('There is not enough storage space for this file.', {
          details: `needs ${bytes} bytes`,
        })
      },
    })
    await expect(estimated.swarm.add({ content })).rejects.toBeInstanceOf(QuotaExceededError)
    expect(await estimated.store.items()).toEqual([])
    expect(await allRecords(estimated.records)).toEqual([])
    // The estimate was wrong: allocating the file finds out, and the item goes again.
    const files = new MemoryBackend()
    files.quotaBytes = 100_000
    const allocated = await node({ files })
    const err = await allocated.swarm.add({ content }).catch((e: Error) => e)
    expect(err).toBeInstanceOf(QuotaExceededError)
    expect((err as QuotaExceededError).shortMessage).toMatch(/^The download ran out of storage/)
    expect(await allocated.store.items()).toEqual([])
    await allocated.store.removals()
    expect([...files.files.keys()]).toEqual([])
    await expect(allocated.swarm.stats(content.infoHash)).rejects.toBeInstanceOf(
      SwarmItemNotFoundError,
    )
  })

  it('stops a download whose slices the full quota cannot store, instead of fetching them again', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32))
    const seeder = await node()
    const r = await publish(seeder.store, key)
    const { infoHash, content } = await seeder.swarm.seed(r.id)
    const torrentFile = (await allRecords(seeder.records))[0]!.torrentFile
    const piece = await seeder.store.getSlice(r.id, 1)
    // IndexedDB's transaction marking a slice hits the quota (the file itself was allocated).
    const wrap = (store: SliceStore) =>
      Object.assign(Object.create(store) as SliceStore, {
        writer: async (id: string) => {
          const w = await store.writer(id)
          return {
            ...w,
            commit: async () => {
              throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
            },
          }
        },
      })
    const full = await fetching(
      { cipher: await sliceCipher(key, r.contentSalt), wrap },
      { infoHash, torrentFile, content },
    )
    const t = full.t
    // webtorrent is told the piece is stored (an error would destroy the torrent its way).
    expect(await putPiece(t, 1, piece)).toBeNull()
    const stopped = await waitFor('the download to stop', () =>
      full.swarm.stats(infoHash).then(
        () => null,
        (e: Error) => e,
      ),
    )
    expect(stopped).toBeInstanceOf(QuotaExceededError)
    expect((stopped as QuotaExceededError).shortMessage).toMatch(/^Storing the download ran out/)
    await waitFor('the torrent to go', () => t.destroyed)
    expect(await full.store.has(infoHash, 1)).toBe(false)
    expect(full.events).toContainEqual({
      kind: 'log',
      level: 'error',
      message: (stopped as Error).message,
    })
    // Adding it again (room was made) starts it again.
    expect((await full.swarm.add({ content })).itemId).toBe(infoHash)
    expect((await full.swarm.stats(infoHash)).present).toBe(0)
  })

  // The failed torrent is destroyed once webtorrent has verified its pieces: destroyed
  // earlier, its verify callbacks threw an uncaught TypeError (a null client's `_debugId`).
  it('checks metadata from peers before webtorrent acts on it', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32))
    const seeder = await node()
    const r = await publish(seeder.store, key)
    const { infoHash, content } = await seeder.swarm.seed(r.id)
    const torrentFile = (await allRecords(seeder.records))[0]!.torrentFile!
    /** A node that added the card by magnet, and its torrent waiting for metadata. */
    const fetcher = async () => {
      const f = await node()
      await f.swarm.add({ content })
      const wt = await f.swarm.webtorrent()
      const t = await waitFor('the torrent', () => wt.torrents.find((x) => x.infoHash === infoHash))
      return { ...f, t }
    }
    // What ut_metadata hands webtorrent (`{ info }`), one claiming a longer item, and no bencode.
    const longer = bencode({
      info: {
        length: 10 * SLICE,
        name: 'clip.bin',
        'piece length': SLICE,
        pieces: new Uint8Array(200),
      },
    })
    for (const bad of [longer, new TextEncoder().encode('d4:infoi-1ee')]) {
      const f = await fetcher()
      await f.t._onMetadata(bad)
      await waitFor('the refusal', () =>
        f.events.find((e) => e.kind === 'log' && e.level === 'error'),
      )
      expect(f.t.metadata).toBeFalsy() // webtorrent never took it
      await waitFor('the torrent to go', () => f.t.destroyed)
      expect(await f.swarm.list()).toEqual([])
    }
    const f = await fetcher()
    await f.t._onMetadata(torrentFile)
    await waitFor('the torrent to be ready', () => f.t.ready)
    expect(f.t.length).toBe(parseTorrentFile(torrentFile).length)
    expect(f.events.filter((e) => e.kind === 'log' && e.level === 'error')).toEqual([])
    // The metadata it took is kept (webtorrent re-encodes it, with the trackers it knows).
    const kept = await waitFor(
      'the .torrent kept',
      async () => (await allRecords(f.records))[0]?.torrentFile,
    )
    expect(parseTorrentFile(kept)).toEqual(parseTorrentFile(torrentFile))
  })

  it('drops an added item whose torrent does not match the card’s content', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32))
    const seeder = await node()
    const r = await publish(seeder.store, key)
    const { infoHash, content } = await seeder.swarm.seed(r.id)
    const torrentFile = (await allRecords(seeder.records))[0]!.torrentFile
    const f = await node()
    await holdTorrentFile(f.records, infoHash, torrentFile)
    // The card claims a bigger file than the torrent describes.
    await f.swarm.add({ content: { ...content, size: content.size + SLICE } })
    await waitFor(
      'the mismatch to be reported',
      () => f.events.find((e) => e.kind === 'log' && e.level === 'error'),
      { timeoutMs: 10_000, everyMs: 20 },
    )
    expect(await f.swarm.list()).toEqual([])
    await expect(f.swarm.stats(infoHash)).rejects.toBeInstanceOf(SwarmItemNotFoundError)
  })
})
