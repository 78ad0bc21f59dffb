/**
 * The preview service (DESIGN §2 `previewInfoHash`, §4.1): seeds the *unencrypted* preview
 * torrents this node made, fetches the ones cards name, and keeps both in IndexedDB
 * (store.ts) so a reopened tab seeds them again. It shares the content swarm's
 * webtorrent client (one tracker connection, one set of peers) but none of its machinery:
 * previews are small and whole, so there is no deadline window, slice store or AEAD.
 *
 * A fetched torrent is checked on its metadata — which webtorrent has already matched to the
 * infoHash the card names — before any piece is asked for: allowed file names, at most
 * {@link MAX_PREVIEW_BYTES} (format.ts). A refusal is logged with its reason, remembered
 * (never fetched again) and reported to the caller as a typed error.
 */
import { BaseError } from '../../shared/errors/base.ts'
import { InvalidInputError, TimeoutError } from '../../shared/errors/common.ts'
import {
  PreviewMismatchError,
  PreviewTooLargeError,
  PreviewUnavailableError,
} from '../../shared/errors/preview.ts'
import { TorrentMetadataError } from '../../shared/errors/swarm.ts'
import type { PreviewItem } from '../../shared/protocol/methods/preview.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { logger } from '../log.ts'
import type { EnsureRoom } from '../store/quota.ts'
import { magnetOf } from '../torrent/magnet.ts'
import { gateMetadata } from '../torrent/metadata.ts'
import { type GuardableWire, guardWire } from '../torrent/wireGuard.ts'
import {
  buildPreviewTorrent,
  checkPreviewEntries,
  MAX_PREVIEW_BYTES,
  PREVIEW_PIECE_LENGTH,
  type PreviewEntry,
  type PreviewFile,
  splitPreview,
} from './format.ts'
import {
  allPreviews,
  bitfieldOf,
  deletePieces,
  deletePreview,
  getPreview,
  type PreviewDb,
  type PreviewRecord,
  pieceIndices,
  previewChunkStore,
  putPieces,
  putPreview,
  readPreviewBytes,
} from './store.ts'
import type { PreviewClient, PreviewTorrent } from './types.ts'

const log = logger('previews')

export type PreviewComponents = {
  /** The swarm's webtorrent client (SwarmService.webtorrent). */
  client: () => Promise<PreviewClient>
  db: () => Promise<PreviewDb>
  emit: (event: NodeEvent) => void
  /** Room within the storage budget for a new preview (the seed service); unchecked without. */
  budget?: EnsureRoom
}

export type PreviewInit = {
  announce: string[]
  maxBytes?: number
  /** How long `get` waits for a preview by default. */
  fetchTimeoutMs?: number
  /** An unfinished fetch without peers asks the tracker again this often. */
  reannounceMs?: number
  /** Dev chains only: `seed({ unchecked })` may make torrents that break the format. */
  dev?: boolean
}

type Active = {
  torrent: PreviewTorrent
  rec: PreviewRecord
  /** Settles when the preview is stored whole, or refused. */
  settled: Promise<PreviewRecord>
  waiters: number
  announcedAt: number
}

const HEX40 = /^[0-9a-f]{40}$/

/** Rebuilds a remembered refusal as its typed error. */
function refusalError(r: NonNullable<PreviewRecord['reason']>): Error {
  const cls = r.name === 'PreviewTooLargeError' ? PreviewTooLargeError : PreviewMismatchError
  return new cls(r.message)
}

/** A malformed info dictionary is a torrent no card may name as its preview. */
function asPreviewError(err: Error): Error {
  if (!(err instanceof TorrentMetadataError)) return err
  return new PreviewMismatchError('The preview torrent is malformed.', {
    details: err.details,
    cause: err,
  })
}

export class PreviewService {
  private readonly active = new Map<string, Active>()
  private readonly adding = new Map<string, Promise<Active>>()
  private readonly o: Required<Omit<PreviewInit, 'announce'>> & { announce: string[] }
  private started: Promise<void> | null = null
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(
    private readonly c: PreviewComponents,
    init: PreviewInit,
  ) {
    this.o = {
      announce: init.announce,
      maxBytes: init.maxBytes ?? MAX_PREVIEW_BYTES,
      fetchTimeoutMs: init.fetchTimeoutMs ?? 60_000,
      reannounceMs: init.reannounceMs ?? 5_000,
      dev: init.dev ?? false,
    }
  }

  /** Seeds every complete preview this node holds again. Idempotent. */
  start(): Promise<void> {
    this.started ??= (async () => {
      const db = await this.c.db()
      for (const rec of await allPreviews(db))
        if (rec.state === 'complete' && rec.torrentFile)
          await this.activate(rec).catch((err: Error) =>
            log.warn('resume %s: %s', rec.infoHash, err.message),
          )
      this.timer = setInterval(() => this.reannounce(), this.o.reannounceMs)
    })()
    return this.started
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    for (const a of this.active.values()) a.torrent.destroy()
    this.active.clear()
    this.started = null
  }

  /**
   * Makes and seeds the preview torrent of some files; resolves with its infoHash.
   * `unchecked` (dev chains only) skips the format checks so tests can make bad torrents.
   * @example const { infoHash } = await previews.seed([{ name: 'image.webp', bytes }])
   */
  async seed(
    files: { name: string; bytes: Uint8Array }[],
    opts: { unchecked?: boolean | undefined } = {},
  ): Promise<{ infoHash: string; length: number; files: PreviewEntry[] }> {
    if (opts.unchecked && !this.o.dev)
      throw new InvalidInputError('Unchecked previews are for development chains only.')
    await this.start()
    const built = await buildPreviewTorrent(files, this.o.announce, {
      unchecked: opts.unchecked ?? false,
      maxBytes: this.o.maxBytes,
    })
    const out = { infoHash: built.infoHash, length: built.length, files: built.entries }
    const db = await this.c.db()
    const known = await getPreview(db, built.infoHash)
    const room = known ? null : await this.c.budget?.(built.length)
    const rec: PreviewRecord = {
      infoHash: built.infoHash,
      origin: 'own',
      state: 'complete',
      torrentFile: built.torrentFile,
      entries: built.entries,
      length: built.length,
      pieceLength: PREVIEW_PIECE_LENGTH,
      createdAt: Date.now(),
    }
    try {
      await putPieces(db, built.infoHash, built.pieces)
      await putPreview(db, rec)
    } finally {
      room?.release()
    }
    // Already in the swarm (seeded before, or being fetched): `get` now reads the stored copy.
    if (this.active.has(built.infoHash)) return out
    await this.activate(rec)
    log('seeding preview %s (%d bytes)', built.infoHash, built.length)
    return out
  }

  /**
   * A preview's files: from IndexedDB when held, else fetched from the swarm (and seeded from
   * then on). Throws {@link PreviewTooLargeError} / {@link PreviewMismatchError} for a refused
   * torrent, {@link PreviewUnavailableError} when no peer delivered it in time.
   */
  async get(
    infoHash: string,
    opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } = {},
  ): Promise<{ infoHash: string; files: PreviewFile[] }> {
    const ih = infoHash.replace(/^0x/, '').toLowerCase()
    if (!HEX40.test(ih)) throw new InvalidInputError('A preview infoHash is 20 bytes of hex.')
    await this.start()
    const db = await this.c.db()
    let rec = await getPreview(db, ih)
    if (rec?.state === 'refused' && rec.reason) throw refusalError(rec.reason)
    if (rec?.state !== 'complete') rec = await this.fetch(ih, rec, opts)
    const bytes = await readPreviewBytes(db, ih, rec.length ?? 0, rec.pieceLength ?? 1)
    if (!bytes || !rec.entries)
      throw new PreviewUnavailableError(`The preview ${ih} is not stored whole.`)
    return { infoHash: ih, files: splitPreview(bytes, rec.entries) }
  }

  /** Every preview this node knows, with its state (and the reason of a refusal). */
  async list(): Promise<PreviewItem[]> {
    await this.start()
    return (await allPreviews(await this.c.db())).map((r) => ({
      infoHash: r.infoHash,
      origin: r.origin,
      state: r.state,
      length: r.length,
      files: r.entries,
      peers: this.active.get(r.infoHash)?.torrent.wires.length ?? 0,
      reason: r.reason,
    }))
  }

  /**
   * Evicts a preview (src/node/seed/): its torrent leaves the swarm first, then its pieces and
   * record go in one transaction, so a crash leaves it whole or gone.
   */
  async remove(infoHash: string): Promise<void> {
    this.drop(infoHash)
    await deletePreview(await this.c.db(), infoHash)
  }

  /** Waits for a fetch (starting it when none runs) with a deadline and the caller's signal. */
  private async fetch(
    ih: string,
    known: PreviewRecord | null,
    opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
  ): Promise<PreviewRecord> {
    const active = await this.activeOrAdd(ih, known)
    active.waiters++
    const ms = opts.timeoutMs ?? this.o.fetchTimeoutMs
    let timer: ReturnType<typeof setTimeout> | undefined
    let onAbort = () => {}
    try {
      return await Promise.race([
        active.settled,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new PreviewUnavailableError(`No peer delivered the preview ${ih} in time.`, {
                  cause: new TimeoutError(`Fetching the preview did not finish within ${ms} ms.`),
                  details: `${active.torrent.wires.length} peers after ${ms} ms`,
                }),
              ),
            ms,
          )
          onAbort = () => reject(opts.signal?.reason)
          opts.signal?.addEventListener('abort', onAbort, { once: true })
        }),
      ])
    } finally {
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      active.waiters--
      // A fetch nobody waits for any more stops; its stored pieces stay for the next request.
      if (active.waiters === 0 && active.rec.state === 'fetching') this.drop(ih, active)
    }
  }

  /** The running fetch of a preview, or a new one; concurrent callers share one torrent. */
  private activeOrAdd(ih: string, known: PreviewRecord | null): Promise<Active> {
    const a = this.active.get(ih)
    if (a) return Promise.resolve(a)
    let p = this.adding.get(ih)
    if (!p) {
      p = (async () => {
        const rec: PreviewRecord = known ?? {
          infoHash: ih,
          origin: 'peer',
          state: 'fetching',
          torrentFile: null,
          createdAt: Date.now(),
        }
        if (!known) {
          // Its size is known only from its metadata: room for the most a preview may be.
          const room = await this.c.budget?.(this.o.maxBytes)
          await putPreview(await this.c.db(), rec).finally(() => room?.release())
        }
        return this.activate(rec)
      })().finally(() => this.adding.delete(ih))
      this.adding.set(ih, p)
    }
    return p
  }

  private async activate(rec: PreviewRecord): Promise<Active> {
    // Own previews were checked when made (or made unchecked on purpose, in dev tests).
    const trusted = rec.origin === 'own'
    const client = await this.c.client()
    const db = await this.c.db()
    const maxPieces = Math.ceil(this.o.maxBytes / PREVIEW_PIECE_LENGTH)
    const count = rec.length && rec.pieceLength ? Math.ceil(rec.length / rec.pieceLength) : 0
    const torrent = client.add(
      rec.torrentFile ?? magnetOf(rec.infoHash, undefined, this.o.announce),
      {
        store: previewChunkStore(db, rec.infoHash, trusted ? Number.MAX_SAFE_INTEGER : maxPieces),
        announce: this.o.announce,
        ...(count > 0 ? { bitfield: bitfieldOf(await pieceIndices(db, rec.infoHash), count) } : {}),
        destroyStoreOnDestroy: false,
      },
    )
    let settle: (r: PreviewRecord) => void = () => {}
    let fail: (err: Error) => void = () => {}
    const settled = new Promise<PreviewRecord>((resolve, reject) => {
      settle = resolve
      fail = reject
    })
    settled.catch(() => {}) // a refusal with no caller waiting is not an unhandled rejection
    const a: Active = { torrent, rec, settled, waiters: 0, announcedAt: performance.now() }
    if (rec.state === 'complete') settle(rec)
    this.active.set(rec.infoHash, a)
    // A peer's malformed message closes its wire only (wireGuard.ts).
    torrent.on('wire', (wire: GuardableWire) =>
      guardWire(wire, (err) =>
        log.warn('preview %s: dropped a wire: %s', rec.infoHash, err.message),
      ),
    )
    // A peer's metadata is checked before webtorrent sizes its store and pieces from it.
    if (!trusted)
      gateMetadata(
        torrent,
        (meta) => checkPreviewEntries(meta.files, this.o.maxBytes),
        (err) => void this.refuse(a, asPreviewError(err), fail),
      )
    torrent.on('metadata', () => {
      // Synchronously, before webtorrent asks any peer for a piece.
      let entries: PreviewEntry[]
      try {
        entries = trusted
          ? (rec.entries ?? [])
          : checkPreviewEntries(torrent.files, this.o.maxBytes)
      } catch (err) {
        void this.refuse(a, err as Error, fail)
        return
      }
      if (a.rec.state !== 'fetching') return
      a.rec = {
        ...a.rec,
        torrentFile: torrent.torrentFile.slice(),
        entries,
        length: torrent.length,
        pieceLength: torrent.pieceLength,
      }
      void putPreview(db, a.rec).catch((err: Error) =>
        log.warn('%s: %s', rec.infoHash, err.message),
      )
    })
    torrent.on('done', () => {
      if (a.rec.state === 'complete') return
      a.rec = { ...a.rec, state: 'complete' }
      putPreview(db, a.rec).then(
        () => {
          log('fetched preview %s; seeding it', rec.infoHash)
          settle(a.rec)
        },
        (err: Error) => fail(err),
      )
    })
    torrent.on('error', (err: Error) => {
      log.warn('preview %s: %s', rec.infoHash, err.message)
      if (this.active.get(rec.infoHash) === a) this.active.delete(rec.infoHash)
      fail(
        new PreviewUnavailableError(`The preview ${rec.infoHash} failed.`, {
          cause: err,
          details: err.message,
        }),
      )
    })
    return a
  }

  private async refuse(a: Active, err: Error, fail: (err: Error) => void): Promise<void> {
    const ih = a.rec.infoHash
    const short = err instanceof BaseError ? err.shortMessage : err.message
    const details = err instanceof BaseError ? err.details : undefined
    const reason = details ? `${short} (${details})` : short
    this.drop(ih, a) // synchronously, inside webtorrent's 'metadata' event: no piece is requested
    log.warn('refused preview %s: %s', ih, reason)
    this.c.emit({ kind: 'log', level: 'warn', message: `Preview ${ih} refused: ${reason}` })
    a.rec = { ...a.rec, state: 'refused', reason: { name: err.name, message: reason } }
    try {
      const db = await this.c.db()
      await deletePieces(db, ih)
      await putPreview(db, a.rec)
    } finally {
      fail(err)
    }
  }

  private drop(ih: string, a = this.active.get(ih)): void {
    if (!a) return
    if (this.active.get(ih) === a) this.active.delete(ih)
    if (!a.torrent.destroyed) a.torrent.destroy()
  }

  /** The tracker's own interval is minutes; one failed WebRTC handshake must not stall a fetch. */
  private reannounce(): void {
    const now = performance.now()
    for (const a of this.active.values()) {
      const t = a.torrent
      if (t.destroyed || t.done || t.wires.length > 0) continue
      if (now - a.announcedAt < this.o.reannounceMs) continue
      a.announcedAt = now
      t.discovery?.tracker?.update?.()
    }
  }
}
