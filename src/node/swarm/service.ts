/**
 * The swarm service (DESIGN §1 swarm/, §7): webtorrent over the *ciphertext* of stored items,
 * in the node worker. Chunk store = the slice store (chunkStore.ts); piece picking for
 * playback = picker.ts; an item's torrent is set up in activate.ts and kept in step with the
 * store in reconcile.ts; signalling through the relay's WebSocket tracker. Published and
 * complete items seed; partial ones seed what they have; a reopened tab resumes every item
 * from its verified slices (records.ts keeps the .torrent). Keys are not the swarm's: it asks
 * access (src/node/access/) for the AEAD context that authenticates a fetched slice.
 *
 * simple-peer inside webtorrent finds `RTCPeerConnection` on the worker's global, where
 * src/node/net/install-rtc.ts put the page-bridged one; webtorrent is imported lazily at
 * start so that is always in place first.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import type WebTorrent from 'webtorrent/dist/webtorrent.min.js'
import { SwarmItemNotFoundError } from '../../shared/errors/swarm.ts'
import type {
  SwarmAddParams,
  SwarmStats,
  SwarmTorrentInfo,
} from '../../shared/protocol/methods/swarm.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { checkBytes } from '../crypto/bytes.ts'
import type { SliceCipher } from '../crypto/content.ts'
import { layout } from '../crypto/layout.ts'
import { logger } from '../log.ts'
import { fixedPrivacy, type PrivacySource } from '../net/privacy.ts'
import { fixedTurn, type TurnSource } from '../net/turnCredentials.ts'
import type { PayPorts } from '../pay/extension.ts'
import type { ItemMeta } from '../store/meta.ts'
import { type EnsureRoom, isQuotaError, quotaError } from '../store/quota.ts'
import type { SliceStore } from '../store/types.ts'
import { type Active, activateTorrent, cardLearnt } from './activate.ts'
import * as C from './constants.ts'
import { Parking } from './parking.ts'
import { followPrivacy } from './privacy.ts'
import {
  createRateCaps,
  installRateCaps,
  type RateCaps,
  type RateSource,
  UNCAPPED,
} from './rateCaps.ts'
import { reconcileTorrent } from './reconcile.ts'
import { allRecords, putRecord, type RecordDb, type TorrentRecord } from './records.ts'
import type { SeedPolicy } from './seedPolicy.ts'
import { serialStore } from './serialStore.ts'
import { torrentInfo, torrentStats } from './stats.ts'
import { ownRecord } from './torrentFile.ts'
import { keepTrackers } from './trackerLink.ts'
import { TrafficMeter, type TrafficReport } from './traffic.ts'
import { UseTracker } from './uses.ts'
import { waitForSlice } from './waiters.ts'
import { criticalSlices } from './window.ts'

const log = logger('swarm')

export type SwarmComponents = {
  store: () => Promise<SliceStore>
  records: () => Promise<RecordDb>
  /** The AEAD context of an item this node holds a key for (access.cipherFor), else null. */
  cipherFor: (itemId: string) => Promise<SliceCipher | null>
  /** The raw key of an item (access.keyFor): `seed({ free })` returns it for a free card. */
  keyFor: (itemId: string) => Promise<Uint8Array | null>
  emit: (event: NodeEvent) => void
  /** The rates of the upload and download caps (the seed service's settings); uncapped without. */
  rates?: () => Promise<RateSource>
  /** Room within the storage budget for a new download (the seed service); unchecked without. */
  ensureRoom?: EnsureRoom
  /**
   * Throws QuotaExceededError unless `bytes` more fit the origin's quota (store/quota.ts,
   * from `navigator.storage.estimate()`); unchecked without.
   */
  ensureQuota?: (bytes: number) => Promise<void>
  /** The card an item is sold under (access's card map): `hc_pay` charges and pays per card. */
  cardOf?: (itemId: string) => Promise<`0x${string}` | null>
  /** The pay service's sides for `hc_pay` (src/node/pay/extension.ts); absent: no payments. */
  pay?: () => PayPorts
  /** "Seed what I watch" (the seed service's settings, seedPolicy.ts); seed everything without. */
  seedPolicy?: () => Promise<SeedPolicy>
  /** Privacy mode (the seed service's settings; privacy.ts): off without. */
  privacy?: () => Promise<PrivacySource>
}

export type SwarmInit = {
  announce: string[]
  windowSeconds?: number
  windowBytes?: number
  deadlineMs?: number
  tickMs?: number
  statsIntervalMs?: number
  /** What a seeder keeps of the slices it read for peers (readCache.ts). */
  readCache?: { maxBytes: number; idleMs: number }
  /** Dev chains only: enables the tamper test hook. */
  dev?: boolean
  /** The relay's TURN server, its credentials kept fresh: privacy mode's only ICE server. */
  turn?: TurnSource | undefined
  /** The clock of uses, parking and the traffic series (tests). */
  now?: () => number
}

export class SwarmService {
  private readonly c: SwarmComponents
  private readonly o: Required<Omit<SwarmInit, 'dev' | 'now' | 'turn'>> & {
    dev: boolean
    turn: TurnSource | undefined
  }
  private stopPrivacy: (() => void) | null = null
  private client: WebTorrent | null = null
  private readonly active = new Map<string, Active>()
  /** Downloads stopped because the quota is full: `stats` reports the error (activate.ts). */
  private readonly stopped = new Map<string, Error>()
  private timer: ReturnType<typeof setInterval> | null = null
  private tamper = false
  private started: Promise<void> | null = null
  private serialView: SliceStore | null = null
  private caps: RateCaps | null = null
  private stopTrackers: (() => void) | null = null
  /** Items read or played, and when: eviction spares what plays and values what was used. */
  readonly uses: UseTracker
  /** Bytes both ways, requests per torrent, and the rates of the last minutes (traffic.ts). */
  private readonly meter: TrafficMeter
  /** "Seed what I watch": fetched items out of the swarm after playback (parking.ts). */
  private readonly parking: Parking

  constructor(components: SwarmComponents, init: SwarmInit) {
    this.c = components
    const now = init.now ?? Date.now
    this.uses = new UseTracker(now)
    this.meter = new TrafficMeter({ now })
    this.parking = new Parking({
      active: this.active,
      activate: (rec) => this.activate(rec),
      playing: () => this.uses.playing(),
      now,
    })
    this.o = {
      announce: init.announce,
      windowSeconds: init.windowSeconds ?? C.WINDOW_SECONDS,
      windowBytes: init.windowBytes ?? C.WINDOW_BYTES,
      deadlineMs: init.deadlineMs ?? C.DEADLINE_MS,
      tickMs: init.tickMs ?? C.DEADLINE_TICK_MS,
      statsIntervalMs: init.statsIntervalMs ?? C.STATS_INTERVAL_MS,
      readCache: init.readCache ?? C.READ_CACHE,
      dev: init.dev ?? false,
      turn: init.turn,
    }
  }

  /** The store with per-item turns for reads and writes (serialStore.ts). */
  private get serial(): SliceStore {
    if (!this.serialView) throw new Error('the swarm is not started')
    return this.serialView
  }

  /** The store as the swarm's readers should use it (the content server too). */
  async readStore(): Promise<SliceStore> {
    await this.start()
    return this.serial
  }

  /** The webtorrent client, for torrents beside the content's (src/node/previews/). */
  async webtorrent(): Promise<WebTorrent> {
    await this.start()
    if (!this.client) throw new Error('the swarm is stopped')
    return this.client
  }

  /** Creates the webtorrent client and resumes every remembered item. Idempotent. */
  start(): Promise<void> {
    this.started ??= (async () => {
      const { default: WT } = await import('webtorrent/dist/webtorrent.min.js')
      const rates = await this.rateSource()
      // Every peer connection of the client is made from this one object, which follows
      // privacy mode (privacy.ts).
      const privacy = followPrivacy(
        (await this.c.privacy?.()) ?? fixedPrivacy(false),
        this.o.turn ?? fixedTurn(undefined),
        () => this.client?.torrents ?? [],
      )
      this.stopPrivacy = privacy.stop
      this.client = new WT({
        dht: false,
        lsd: false,
        utp: false,
        webSeeds: false,
        tracker: { rtcConfig: privacy.rtcConfig },
      })
      // Before any torrent is added: every wire of every torrent is capped (rateCaps.ts).
      this.caps = createRateCaps(rates)
      installRateCaps(this.client, this.caps)
      this.meter.install(this.client)
      // Prompt reconnects to a restarted tracker, then announces again (trackerLink.ts).
      this.stopTrackers = keepTrackers(this.client)
      this.meter.startSampling()
      this.client.on('error', (err: Error) => log.error('client: %s', err.message))
      await this.parking.follow(this.c.seedPolicy)
      const store = await this.c.store()
      this.serialView = serialStore(store)
      for (const rec of await allRecords(await this.c.records())) {
        if (!(await store.item(rec.itemId)) || !this.parking.resumes(rec)) continue
        await this.activate(rec).catch((err: Error) =>
          log.warn('resume %s: %s', rec.itemId, err.message),
        )
      }
      this.timer = setInterval(() => {
        this.pushStats()
        void this.parking.apply()
      }, this.o.statsIntervalMs)
    })()
    return this.started
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.meter.stop()
    this.stopTrackers?.()
    this.stopTrackers = null
    this.parking.stop()
    this.stopPrivacy?.()
    this.stopPrivacy = null
    for (const a of this.active.values()) a.picker.stop()
    this.active.clear()
    this.client?.destroy()
    this.client = null
    this.caps?.close()
    this.caps = null
    this.started = null
  }

  /**
   * Takes an item out of the swarm (eviction, src/node/seed/): its torrent leaves the client,
   * so each peer sees its wire end, and resolves once it has. The stored slices stay: the
   * caller deletes them after, so no peer ever reads a slice being deleted.
   */
  async remove(itemId: string): Promise<void> {
    this.uses.forget(itemId)
    const rec = this.recordInSwarm(itemId)
    this.parking.forget(itemId)
    await this.parking.takeOut(itemId)
    if (rec) this.meter.forget(rec.infoHash)
  }

  /** Bytes served to peers from an item this session. */
  uploaded(itemId: string): number {
    return this.active.get(itemId)?.torrent.uploaded ?? 0
  }

  /** Block requests peers made for an item this session: its demand (traffic.ts). */
  requests(itemId: string): number {
    const rec = this.recordInSwarm(itemId)
    return rec ? this.meter.requests(rec.infoHash) : 0
  }

  /** Whether an item is in the swarm now, offered to peers (not parked, not unknown). */
  seeding(itemId: string): boolean {
    return this.active.has(itemId)
  }

  /** Bytes moved this session and the upload and download rates of the last minutes. */
  traffic(): TrafficReport {
    return this.meter.report()
  }

  /** Applies "seed what I watch" now (it also runs on every stats tick; parking.ts). */
  applySeedPolicy(): Promise<void> {
    return this.parking.apply()
  }

  private recordInSwarm(itemId: string): TorrentRecord | undefined {
    return this.active.get(itemId)?.rec ?? this.parking.parkedRecord(itemId)
  }

  /** Seeds a complete item of this node's store; returns its infoHash and magnet. */
  async seed(
    itemId: string,
    opts: { free?: boolean; signal?: AbortSignal } = {},
  ): Promise<SwarmTorrentInfo> {
    await this.start()
    const store = await this.c.store()
    const item = await store.item(itemId)
    if (!item) throw new SwarmItemNotFoundError(`No stored item ${itemId}.`)
    if (item.state !== 'complete')
      throw new SwarmItemNotFoundError(
        `Item ${itemId} is not complete; only complete items are seeded.`,
      )
    let rec = this.active.get(itemId)?.rec ?? (await this.recordOf(itemId))
    if (!rec) {
      rec = await ownRecord(store, item, this.o.announce, opts)
      await putRecord(await this.c.records(), rec)
    }
    await this.activate(rec)
    const info = this.info(rec, item)
    if (opts.free) {
      const key = await this.c.keyFor(itemId)
      if (key) info.key = bytesToHex(key)
      key?.fill(0)
    }
    return info
  }

  /**
   * Starts fetching an item described by a card's `content`. A free card's key goes to access
   * (the caller links it first, src/node/access/handlers.ts), not to the swarm.
   */
  async add(p: SwarmAddParams): Promise<SwarmTorrentInfo> {
    await this.start()
    const c = p.content
    const infoHash = c.infoHash.toLowerCase()
    if (!/^[0-9a-f]{40}$/.test(infoHash))
      throw new RangeError(`content.infoHash: expected 40 hex digits, got ${c.infoHash}`)
    const salt = checkBytes('content.contentSalt', hexToBytes(c.contentSalt), 16)
    const store = await this.c.store()
    const known = (await allRecords(await this.c.records())).find((r) => r.infoHash === infoHash)
    const rec: TorrentRecord = known ?? {
      itemId: infoHash,
      infoHash,
      origin: 'peer',
      torrentFile: null,
      name: c.name,
      mime: c.mime,
      createdAt: Date.now(),
    }
    let item = await store.item(rec.itemId)
    if (!item) {
      const cipherSize = layout(c.size, c.sliceSize).cipherSize
      // Refused before a byte is fetched when the quota cannot hold it (issue 20's drill).
      await this.c.ensureQuota?.(cipherSize)
      // Its whole size, once, before the first slice: the hot path never checks the budget.
      const room = await this.c.ensureRoom?.(cipherSize)
      try {
        item = await store.createItem({
          id: rec.itemId,
          size: c.size,
          sliceSize: c.sliceSize,
          contentSalt: salt,
          contentRoot: c.contentRoot ? hexToBytes(c.contentRoot) : null,
          state: 'partial',
          name: c.name,
          mime: c.mime,
        })
      } catch (err) {
        throw isQuotaError(err) ? quotaError(err, 'The download') : err
      } finally {
        room?.release()
      }
      await this.allocate(store, item.id)
    }
    this.stopped.delete(rec.itemId)
    await putRecord(await this.c.records(), rec)
    const a = this.active.get(rec.itemId)
    if (a) a.rec = rec
    else await this.activate(rec)
    return this.info(rec, item)
  }

  /**
   * Allocates a new download's whole file (the store's writer preallocates it): a quota the
   * estimate missed shows here, and the item is removed, before any slice is fetched.
   */
  private async allocate(store: SliceStore, itemId: string): Promise<void> {
    try {
      await (await store.writer(itemId)).close()
    } catch (err) {
      if (!isQuotaError(err)) throw err
      await store.remove(itemId)
      throw quotaError(err, 'The download')
    }
  }

  /** An item id for a path segment: a stored item's id, or a known infoHash. */
  async resolve(id: string): Promise<string | null> {
    await this.start()
    if (await (await this.c.store()).item(id)) return id
    const lower = id.toLowerCase()
    for (const a of this.active.values()) if (a.rec.infoHash === lower) return a.rec.itemId
    return null
  }

  /** Resolves once slice i of an item is stored and verified (fetching it first if needed). */
  async slice(itemId: string, i: number, signal?: AbortSignal): Promise<void> {
    this.uses.touch(itemId)
    const store = await this.c.store()
    if (await store.has(itemId, i)) return
    // Watched again while parked: back into the swarm to fetch what it lacks.
    await this.parking.unpark(itemId)
    const a = this.active.get(itemId)
    if (!a)
      throw new SwarmItemNotFoundError(
        `Slice ${i} of ${itemId} is not stored and the item is not in the swarm.`,
      )
    // Waited for: fetched before anything else (picker.ts `want`).
    a.picker.want(i)
    try {
      await waitForSlice(a.waiters, i, () => store.has(itemId, i), {
        signal,
        timeoutMs: C.SLICE_WAIT_MS,
      })
    } finally {
      a.picker.unwant(i)
    }
  }

  /**
   * Makes the slices ahead of plaintext byte `position` the deadline window; a read that ends
   * at plaintext byte `end` (a site's file, its index) makes no slice past its end critical.
   */
  setPosition(itemId: string, position: number, end?: number): void {
    this.uses.touch(itemId)
    const a = this.active.get(itemId)
    if (!a) return
    const l = layout(a.item.size, a.item.sliceSize)
    const w = criticalSlices(l, position, {
      seconds: this.o.windowSeconds,
      bytes: this.o.windowBytes,
      duration: a.duration,
      ...(end === undefined ? {} : { end }),
    })
    a.picker.setWindow(w.first, w.last)
  }

  /** The player's position: moves the window and learns the bitrate from the duration. */
  setPlayhead(itemId: string, time: number, duration: number): void {
    const a = this.active.get(itemId)
    if (!a || !(duration > 0)) return
    a.duration = duration
    this.setPosition(itemId, Math.floor((time / duration) * a.item.size))
  }

  /** Test hooks (dev chains only): corrupt served blocks, cap the upload rate. */
  debug(p: { tamper?: boolean | undefined; uploadLimit?: number | undefined }): void {
    if (!this.o.dev) throw new RangeError('swarm.debug: only on a development chain')
    if (p.tamper !== undefined) this.tamper = p.tamper
    if (p.uploadLimit !== undefined) this.client?.throttleUpload(p.uploadLimit)
  }

  async stats(id: string): Promise<SwarmStats> {
    const itemId = await this.resolve(id)
    const a = itemId ? this.active.get(itemId) : undefined
    const stopped = itemId ? this.stopped.get(itemId) : undefined
    if (!a && stopped) throw stopped
    if (!itemId || !a) throw new SwarmItemNotFoundError(`The swarm has no item ${id}.`)
    return this.statsOf(a)
  }

  async list(): Promise<SwarmStats[]> {
    await this.start()
    return Promise.all([...this.active.values()].map((a) => this.statsOf(a)))
  }

  private async statsOf(a: Active): Promise<SwarmStats> {
    return torrentStats(await (await this.c.store()).bitfield(a.rec.itemId), a)
  }

  private pushStats(): void {
    for (const a of this.active.values()) {
      if (a.torrent.wires.length === 0 && a.torrent.done) continue
      void this.statsOf(a).then((stats) => {
        reconcileTorrent(a, stats.have)
        this.c.emit({ kind: 'swarm.stats', stats })
      })
    }
  }

  /** The caps' rates; a source that fails to load leaves the swarm running uncapped. */
  private async rateSource(): Promise<RateSource> {
    if (!this.c.rates) return UNCAPPED
    return this.c.rates().catch((err: Error) => {
      log.warn('rate caps unavailable (%s); running uncapped', err.message)
      return UNCAPPED
    })
  }

  private async activate(rec: TorrentRecord): Promise<void> {
    await this.parking.settled(rec.itemId) // one torrent per infoHash in the client
    if (this.active.has(rec.itemId)) return
    await activateTorrent(this.activateContext(), rec)
    this.parking.entered(rec.itemId)
  }

  /**
   * Access learnt a card: a running torrent whose card was not known when it started takes
   * `hc_pay` for it (activate.ts `cardLearnt`).
   */
  async cardsLearnt(): Promise<void> {
    if (!this.client) return
    const ctx = this.activateContext()
    for (const a of this.active.values()) await cardLearnt(ctx, a)
  }

  private activateContext() {
    const client = this.client
    if (!client) throw new Error('the swarm is not started')
    return {
      ...this.c,
      ...this.o,
      client,
      active: this.active,
      stopped: this.stopped,
      tamper: () => this.tamper,
    }
  }

  private info(rec: TorrentRecord, item: ItemMeta): SwarmTorrentInfo {
    return torrentInfo(rec, item, this.o.announce)
  }

  private async recordOf(itemId: string): Promise<TorrentRecord | undefined> {
    return (await allRecords(await this.c.records())).find((r) => r.itemId === itemId)
  }
}
