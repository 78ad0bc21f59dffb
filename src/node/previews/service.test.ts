import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../shared/errors/common.ts'
import {
  PreviewMismatchError,
  PreviewTooLargeError,
  PreviewUnavailableError,
} from '../../shared/errors/preview.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import type { ChunkStore, ChunkStoreCtor } from '../torrent/chunkStore.ts'
import { buildPreviewTorrent, PREVIEW_PIECE_LENGTH } from './format.ts'
import { PreviewService } from './service.ts'
import { openPreviewDb, type PreviewDb } from './store.ts'
import type { PreviewClient, PreviewTorrent } from './types.ts'

type Built = Awaited<ReturnType<typeof buildPreviewTorrent>>

/** Stands in for webtorrent: records what was added; the test plays the peer. */
class FakeTorrent implements PreviewTorrent {
  infoHash = ''
  torrentFile: Uint8Array = new Uint8Array()
  files: { path: string; length: number }[] = []
  length = 0
  pieceLength = PREVIEW_PIECE_LENGTH
  done = false
  destroyed = false
  wires: unknown[] = []
  private readonly fns = new Map<string, ((...a: never[]) => void)[]>()
  constructor(
    readonly id: string | Uint8Array,
    readonly opts: { store: ChunkStoreCtor; bitfield?: Uint8Array },
  ) {}
  on(ev: string, fn: (...a: never[]) => void): void {
    this.fns.set(ev, [...(this.fns.get(ev) ?? []), fn])
  }
  emit(ev: string): void {
    for (const fn of this.fns.get(ev) ?? []) (fn as () => void)()
  }
  destroy(): void {
    this.destroyed = true
  }
  private built: Built | null = null
  /** webtorrent's own handler, behind the service's gate: takes the metadata, emits `metadata`. */
  _onMetadata(metadata: unknown): void {
    const built = this.built
    if (!built || !(metadata instanceof Uint8Array)) throw new Error('no metadata to deliver')
    this.torrentFile = metadata
    this.length = built.length
    this.files = built.entries.map((e) => ({
      path: `hashcard-preview/${e.name}`,
      length: e.length,
    }))
    this.emit('metadata')
  }
  /** What webtorrent does once ut_metadata has the metadata, then the (verified) pieces. */
  async deliver(built: Built, metadata = built.torrentFile): Promise<void> {
    this.built = built
    await this._onMetadata(metadata)
    if (this.destroyed) return
    const store: ChunkStore = new this.opts.store(PREVIEW_PIECE_LENGTH)
    for (const [i, p] of built.pieces.entries())
      await new Promise<void>((res, rej) => store.put(i, p, (err) => (err ? rej(err) : res())))
    this.done = true
    this.emit('done')
  }
}

let n = 0
function setup(o: { dev?: boolean; db?: PreviewDb } = {}) {
  const added: FakeTorrent[] = []
  const events: NodeEvent[] = []
  const client: PreviewClient = {
    add: (id, opts) => {
      const t = new FakeTorrent(id, opts)
      added.push(t)
      return t
    },
  }
  const db = o.db ? Promise.resolve(o.db) : openPreviewDb(`previews-test-${n++}`)
  const service = new PreviewService(
    { client: async () => client, db: () => db, emit: (e) => events.push(e) },
    { announce: ['ws://tracker/'], dev: o.dev ?? false, reannounceMs: 60_000 },
  )
  return { service, added, events, db }
}

const bytes = (len: number, k: number) => Uint8Array.from({ length: len }, (_, i) => (i * k) & 255)
const poster = { name: 'poster.webp', bytes: bytes(90_000, 3) }
const clip = { name: 'clip.webm', bytes: bytes(200_000, 5) }
const later = () => new Promise((r) => setTimeout(r, 10))

describe('PreviewService', () => {
  it('seeds page-made files durably and seeds them again after a restart', async () => {
    const a = setup()
    const seeded = await a.service.seed([poster, clip])
    expect(seeded.infoHash).toMatch(/^[0-9a-f]{40}$/)
    const t = a.added[0] as FakeTorrent
    expect(t.id).toBeInstanceOf(Uint8Array) // the .torrent itself, not a magnet
    expect([...(t.opts.bitfield ?? [])]).toEqual([0xf8]) // 5 pieces, all present
    const got = await a.service.get(`0x${seeded.infoHash.toUpperCase()}`)
    expect(got.files.map((f) => f.name)).toEqual(['poster.webp', 'clip.webm'])
    expect(got.files[1]?.bytes).toEqual(clip.bytes)
    a.service.stop()

    const b = setup({ db: await a.db })
    await b.service.start()
    expect(b.added).toHaveLength(1)
    expect(b.added[0]?.opts.bitfield).toEqual(t.opts.bitfield)
    expect((await b.service.list())[0]).toMatchObject({ origin: 'own', state: 'complete' })
    b.service.stop()
  })

  it('fetches a preview a card names, stores it and keeps seeding it', async () => {
    const { service, added } = setup()
    const built = await buildPreviewTorrent([poster], [])
    const pending = service.get(built.infoHash)
    await later()
    const t = added[0] as FakeTorrent
    expect(t.id).toContain(`xt=urn:btih:${built.infoHash}`)
    await t.deliver(built)
    const got = await pending
    expect(got.files[0]?.bytes).toEqual(poster.bytes)
    expect(t.destroyed).toBe(false)
    expect(await service.list()).toMatchObject([{ origin: 'peer', state: 'complete' }])
    // The next call reads the stored copy.
    expect((await service.get(built.infoHash)).files[0]?.bytes).toEqual(poster.bytes)
    expect(added).toHaveLength(1)
    service.stop()
  })

  it('shares one torrent between concurrent requests for a preview', async () => {
    const { service, added } = setup()
    const built = await buildPreviewTorrent([poster], [])
    const both = Promise.all([service.get(built.infoHash), service.get(built.infoHash)])
    await later()
    expect(added).toHaveLength(1)
    await (added[0] as FakeTorrent).deliver(built)
    const [x, y] = await both
    expect(x.files[0]?.bytes).toEqual(poster.bytes)
    expect(y.files[0]?.bytes).toEqual(poster.bytes)
    service.stop()
  })

  it('refuses a preview torrent larger than the limit before fetching a piece, and remembers why', async () => {
    const { service, added, events } = setup()
    const big = { name: 'clip.webm', bytes: new Uint8Array(5 * 1024 * 1024) }
    const built = await buildPreviewTorrent([poster, big], [], { unchecked: true })
    const pending = service.get(built.infoHash)
    await later()
    const t = added[0] as FakeTorrent
    await t.deliver(built)
    await expect(pending).rejects.toBeInstanceOf(PreviewTooLargeError)
    expect(t.destroyed).toBe(true)
    expect(t.files).toEqual([]) // refused before webtorrent took the metadata
    expect(t.done).toBe(false) // no piece was stored
    expect(events).toContainEqual({
      kind: 'log',
      level: 'warn',
      message: expect.stringMatching(/refused: The preview torrent is larger than 4194304 bytes/),
    })
    const [item] = await service.list()
    expect(item).toMatchObject({ state: 'refused', reason: { name: 'PreviewTooLargeError' } })
    // Asked again, it fails at once without going back to the swarm.
    await expect(service.get(built.infoHash)).rejects.toBeInstanceOf(PreviewTooLargeError)
    expect(added).toHaveLength(1)
    service.stop()
  })

  it('refuses a torrent holding files a preview may not hold', async () => {
    const { service, added } = setup()
    const built = await buildPreviewTorrent([{ name: 'index.html', bytes: bytes(100, 1) }], [], {
      unchecked: true,
    })
    const pending = service.get(built.infoHash)
    await later()
    await (added[0] as FakeTorrent).deliver(built)
    await expect(pending).rejects.toBeInstanceOf(PreviewMismatchError)
    await expect(service.get(built.infoHash)).rejects.toThrow(/index\.html/)
    service.stop()
  })

  it('refuses malformed metadata before webtorrent acts on it', async () => {
    const built = await buildPreviewTorrent([poster], [])
    const enc = new TextEncoder()
    // A negative file length, a 1-byte piece length, unsorted keys, not bencode at all.
    const hostile = [
      'd4:infod5:filesld6:lengthi-5e4:pathl11:poster.webpeee4:name16:hashcard-preview12:piece lengthi65536e6:pieces20:aaaaaaaaaaaaaaaaaaaaee',
      'd4:infod6:lengthi90000e4:name16:hashcard-preview12:piece lengthi1e6:pieces20:aaaaaaaaaaaaaaaaaaaaee',
      'd4:infod4:name1:a6:lengthi1eee',
      'd4:info',
    ]
    for (const text of hostile) {
      const { service, added } = setup()
      const pending = service.get(built.infoHash)
      await later()
      const t = added[0] as FakeTorrent
      await t.deliver(built, enc.encode(text))
      await expect(pending).rejects.toThrow(/malformed|may not hold/)
      await expect(pending).rejects.toBeInstanceOf(PreviewMismatchError)
      expect(t.destroyed).toBe(true)
      expect(t.files).toEqual([])
      service.stop()
    }
  })

  it('gives up after the timeout and stops fetching once nobody waits', async () => {
    const { service, added } = setup()
    const ih = 'ab'.repeat(20)
    await expect(service.get(ih, { timeoutMs: 30 })).rejects.toBeInstanceOf(PreviewUnavailableError)
    expect(added[0]?.destroyed).toBe(true)
    // A later request starts a new fetch.
    const ac = new AbortController()
    const p = service.get(ih, { signal: ac.signal })
    await later()
    expect(added).toHaveLength(2)
    ac.abort()
    await expect(p).rejects.toBeDefined()
    service.stop()
  })

  it('checks its input', async () => {
    const { service } = setup()
    await expect(service.get('nope')).rejects.toBeInstanceOf(InvalidInputError)
    await expect(service.seed([poster], { unchecked: true })).rejects.toBeInstanceOf(
      InvalidInputError,
    )
    await expect(service.seed([{ name: 'a.exe', bytes: bytes(1, 1) }])).rejects.toBeInstanceOf(
      PreviewMismatchError,
    )
    service.stop()
  })
})
