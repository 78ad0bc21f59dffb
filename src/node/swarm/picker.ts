/**
 * Piece picking for playback on top of webtorrent's own (DESIGN §4.3, §7): a deadline window
 * of critical slices ahead of the play head, fetched in order before anything else, and
 * rarest-first outside it (webtorrent's `rarest` strategy over the whole-item selection).
 *
 * - Requests are 64 KiB blocks ({@link BigPiece}); webtorrent's pipeline depth counts
 *   requests, so the bytes in flight grow 4× with it.
 * - A request for a critical slice that has not arrived by its deadline is cancelled and the
 *   slice goes to another peer; the slow peer is not asked for that slice again while another
 *   can serve it. webtorrent's own hotswap is off (it assumes 16 KiB blocks).
 * - A wire with requests out that has sent no block for `stallMs` is stalled: every request
 *   on it, critical or not, is cancelled and goes to another peer, and a stalled wire is asked
 *   only for what no other peer can serve, until a block or another sign of life (a `have`, a
 *   keep-alive, an unchoke) arrives from it again. Requests are never moved to a stalled wire.
 * - A re-issued request on a free wire is cancelled on the wire too (a BitTorrent `cancel`), so
 *   a slow but live seeder does not send the block again after another peer did. A priced
 *   wire gets no `cancel`: its seeder counts what it was asked for, and a cancelled slice is a
 *   drift the credit absorbs (src/node/pay/extension.ts); the late block is paid as sent.
 * - Each wire sends a message as one DataChannel message, and keeps at most `maxRequests`
 *   blocks requested (webtorrentWire.ts).
 * - Every block's sender is kept until its piece is checked (BigPiece). A piece failing its
 *   hash bans its sole source at once. When several peers sent it, the next attempt goes to
 *   one peer alone, and once the piece verifies, the peers whose blocks differ from it are
 *   banned (libtorrent's smart ban): an honest peer is never banned for another's bad data.
 * - Slices a reader waits for now ({@link Picker.want}: a page's file, a site's index) come
 *   before the window, in the order asked, and while one is missing a wire that has it is
 *   asked for nothing outside the critical slices: a seeder answers in the order asked, so a
 *   request made ahead of need (rarest-first) would delay the next file the page asks for by
 *   its whole size. Outside those waits rarest-first fills the pipeline as before.
 * - Paid peers (`hc_pay`, src/node/pay/extension.ts): a wire priced at Infinity is never asked,
 *   and outside the deadline window a slice is not asked of a wire while a cheaper one that
 *   has it is unchoking us. Inside the window only speed counts. A priced wire at its credit is
 *   offered only the pieces it may still be asked for (`askable`), not every piece in turn.
 *   All prices 0: no change.
 */
import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import { logger } from '../log.ts'
import { MAX_REQUESTS, STALL_MS } from './constants.ts'
import { tracePicking } from './pickerTrace.ts'
import { BigPiece, type Contribution, culprits } from './piece.ts'
import { logTimeline } from './webtorrentTimeline.ts'
import { capWireRequests, coalesceWireMessages } from './webtorrentWire.ts'
import { type Outstanding, overdue } from './window.ts'

const log = logger('swarm:picker')
/** A block request on a wire, as sent. */
type Sent = Outstanding & { length: number }
/** A wire's first requests are logged (debug) with their round trips: the start of a stream. */
const TRACED_REQUESTS = 24
/** Selection priority of the first slice waited for (the window's run from 1000 down). */
const WANTED_PRIORITY = 100_000

export type PickerOptions = {
  deadlineMs: number
  /** A wire silent this long with requests out is stalled (default {@link STALL_MS}). */
  stallMs?: number
  /** Outstanding block requests per wire, at most (webtorrentWire.ts). */
  maxRequests?: number
  tickMs: number
  onBan?: (peerId: string) => void
  /** Wei per slice of a wire (`hc_pay`): 0 free, Infinity never to be asked. Default: all 0. */
  priceOf?: (wire: Wire) => number
  /** Whether a priced wire may be asked for `index` now (its credit). Default: always. */
  mayAsk?: (wire: Wire, index: number) => boolean
  /**
   * The only pieces a wire may be asked for now (a priced wire at its credit), or null when
   * any may be. Default: any.
   */
  askable?: (wire: Wire) => ReadonlySet<number> | null
  now?: () => number
}

export interface Picker {
  /** Makes slices [first, last] the deadline window (replacing the previous one). */
  setWindow(first: number, last: number): void
  /** A reader waits for slice i: fetched first, in the order asked (see the module comment). */
  want(i: number): void
  /** A reader of slice i stopped waiting (it arrived, or the read ended). */
  unwant(i: number): void
  /** Slices with a block request on the wire. */
  inflight(): Set<number>
  banned(): string[]
  /** Requests re-issued to another peer so far (overdue critical ones, a stalled wire's). */
  reissued(): number
  /** Peer ids of the wires stalled now. */
  stalled(): string[]
  stop(): void
}

export function installPicker(t: Torrent, o: PickerOptions): Picker {
  const now = o.now ?? (() => performance.now())
  const outstanding = new Map<Wire, Map<string, Sent>>()
  /** The piece being downloaded at each index (its blocks' senders are blamed on failure). */
  const attempts = new Map<number, BigPiece>()
  /** Blocks of failed shared pieces, kept until the piece verifies and shows which were bad. */
  const suspects = new Map<number, Contribution[]>()
  /** Pieces whose retry goes to one peer alone (null: not claimed yet). */
  const exclusive = new Map<number, Wire | null>()
  const slow = new Map<number, Set<Wire>>()
  /** When each wire last sent a block, or was first asked since it last had nothing out. */
  const heard = new Map<Wire, number>()
  const stalledWires = new Set<Wire>()
  const stallMs = o.stallMs ?? STALL_MS
  const banned = new Set<string>()
  /** The deadline window, [first, last]. */
  let windowRange: [number, number] | null = null
  /** Slices readers wait for, and how many wait for each, in the order first asked. */
  const wanted = new Map<number, number>()
  /** The slices selected (and marked critical) for the window and the waits. */
  let selected: number[] = []
  let reissued = 0

  const pieceLength = (i: number) =>
    i === t.pieces.length - 1 ? t.length - i * t.pieceLength : t.pieceLength
  const swap = (i: number) => {
    if (t.pieces[i] && !(t.pieces[i] instanceof BigPiece)) {
      const piece = new BigPiece(pieceLength(i))
      t.pieces[i] = piece
      attempts.set(i, piece)
    }
  }
  const swapAll = () => {
    for (let i = 0; i < t.pieces.length; i++) swap(i)
  }
  t._hotswap = () => false
  const markUnverified = t._markUnverified.bind(t)
  t._markUnverified = (i) => {
    markUnverified(i)
    swap(i)
  }
  // Pieces whose blocks are partly requested are finished before others start. webtorrent's
  // rarest-first picks at random among equally rare pieces each time a request slot frees, so
  // with one seeder nearly every piece began with one block and got the rest over the next
  // second or more: ≈ 50 pieces in flight at once, each finishing (and being written) late, and
  // the seeder reading each slice again for its later blocks.
  //
  // A wire that may be asked only for a few pieces (`askable`: a priced wire at its seeder's
  // credit) is offered those and nothing else. webtorrent asks for the rarest piece, tries to
  // request it, and on refusal asks again, once per piece of the selection, each a scan of
  // every piece: for a wire that refuses every new piece that is a quadratic walk per request
  // slot, 100–700 ms of the payer's worker per 5 s while cheques backed up (a pay trace).
  const started = new Set<number>()
  /** The wire webtorrent is finding requests for (inside `_updateWire`), or null. */
  let updating: Wire | null = null
  const updateWire = t._updateWire.bind(t)
  t._updateWire = (wire) => {
    updating = wire
    try {
      updateWire(wire)
    } finally {
      updating = null
    }
  }
  let preferring: unknown = null
  const preferStarted = () => {
    const rarity = t._rarityMap
    if (!rarity || rarity === preferring) return
    preferring = rarity
    const rarest = rarity.getRarestPiece.bind(rarity)
    rarity.getRarestPiece = (filter) => {
      for (const i of started) {
        if (!(t.pieces[i] as BigPiece | null)?.partlyReserved) started.delete(i)
        else if (!filter || filter(i)) return i
      }
      const only = updating && askable(updating)
      if (!only) return rarest(filter)
      for (const i of only) if (!filter || filter(i)) return i
      return -1
    }
  }

  const priceOf = o.priceOf ?? (() => 0)
  const mayAsk = o.mayAsk ?? (() => true)
  const askable = o.askable ?? (() => null)
  /** Whether `wire`'s price allows asking it for `index` (see the module comment). */
  const affordable = (wire: Wire, index: number) => {
    const price = priceOf(wire)
    if (price === Number.POSITIVE_INFINITY || !mayAsk(wire, index)) return false
    if (price === 0 || t._critical[index]) return true
    return !t.wires.some((w) => w !== wire && priceOf(w) < price && canServe(w, index))
  }

  /** Whether a slice a reader waits for is missing and `wire` can serve it. */
  const awaitedFrom = (wire: Wire) => {
    for (const i of wanted.keys()) if (!t.bitfield?.get(i) && canServe(wire, i)) return true
    return false
  }

  const request = t._request.bind(t)
  t._request = (wire, index, hotswap) => {
    if (!affordable(wire, index) || !claim(wire, index)) return false
    if (!t._critical[index] && awaitedFrom(wire)) return false
    const s = slow.get(index)
    if (s?.has(wire) && t.wires.some((w) => w !== wire && !s.has(w) && responsive(w, index)))
      return false
    if (
      stalledWires.has(wire) &&
      t.wires.some((w) => w !== wire && !stalledWires.has(w) && canServe(w, index))
    )
      return false
    const sent = request(wire, index, hotswap)
    if (sent && (t.pieces[index] as BigPiece | null)?.partlyReserved) started.add(index)
    return sent
  }

  /** Whether `wire` may request `index`: any peer may, unless the retry is one peer's. */
  const claim = (wire: Wire, index: number) => {
    if (!exclusive.has(index)) return true
    const owner = exclusive.get(index)
    if (owner && owner !== wire && !owner.destroyed && !owner.peerChoking) return false
    exclusive.set(index, wire)
    return true
  }

  const ban = (wire: Wire) => {
    if (!wire.peerId || banned.has(wire.peerId)) return
    banned.add(wire.peerId)
    log.warn('banned %s', wire.peerId)
    o.onBan?.(wire.peerId)
    wire.destroy()
  }

  const onWire = (wire: Wire) => {
    if (banned.has(wire.peerId)) {
      wire.destroy()
      return
    }
    coalesceWireMessages(wire)
    capWireRequests(wire, o.maxRequests ?? MAX_REQUESTS)
    const mine = new Map<string, Sent>()
    outstanding.set(wire, mine)
    const send = wire.request.bind(wire)
    let traced = 0
    wire.request = (index, offset, length, cb) => {
      const key = `${index}:${offset}`
      const at = now()
      const trace = traced++ < TRACED_REQUESTS
      if (trace) log('request %s (%d in flight)', key, wire.requests.length)
      if (mine.size === 0) heard.set(wire, at) // idle time before this request is not silence
      mine.set(key, { index, offset, length, at })
      send(index, offset, length, (err, chunk) => {
        if (trace)
          log('block %s after %d ms%s', key, Math.round(now() - at), err ? ' (failed)' : '')
        mine.delete(key)
        if (!err && chunk) {
          heard.set(wire, now())
          if (stalledWires.delete(wire)) log('%s sends again', wire.peerId)
        }
        cb(err, chunk)
      })
    }
    const alive = () => {
      if (mine.size === 0 && stalledWires.delete(wire)) log('%s is back', wire.peerId)
    }
    // Any block is a sign of life, one asked for or one whose request was cancelled meanwhile
    // (a rate-capped seeder had already queued it).
    wire.on('piece', () => {
      heard.set(wire, now())
      if (stalledWires.delete(wire)) log('%s sends again', wire.peerId)
    })
    wire.on('have', alive)
    wire.on('keep-alive', alive)
    wire.on('unchoke', alive)
    wire.once('close', () => {
      outstanding.delete(wire)
      heard.delete(wire)
      stalledWires.delete(wire)
    })
  }

  const onVerified = (index: number) => {
    attempts.delete(index)
    slow.delete(index)
    exclusive.delete(index)
    const failed = suspects.get(index)
    if (!failed) return
    suspects.delete(index)
    t.store?.get(index, (err, verified) => {
      if (err || !verified) {
        log.warn('piece %d: cannot read it back to blame its earlier senders: %s', index, err)
        return
      }
      for (const w of culprits(failed, verified)) ban(w as Wire)
    })
  }

  const onWarning = (err: Error) => {
    const m = /Piece (\d+) failed verification/.exec(err?.message ?? '')
    if (!m) return
    const index = Number(m[1])
    const blocks = attempts.get(index)?.contributions() ?? []
    attempts.delete(index)
    swap(index)
    const from = new Set(blocks.map((b) => b.source as Wire))
    log.warn('piece %d failed verification (senders: %d)', index, from.size)
    if (from.size === 1) ban(from.values().next().value as Wire)
    else suspects.set(index, [...(suspects.get(index) ?? []), ...blocks])
    if (suspects.has(index)) exclusive.set(index, null)
  }

  const canServe = (w: Wire, index: number) =>
    !w.destroyed &&
    !w.peerChoking &&
    w.peerPieces.get(index) &&
    priceOf(w) !== Number.POSITIVE_INFINITY
  /**
   * Whether `w` can serve `index` and is not stalled: a request is moved only to a wire that
   * answers. Moved to a stalled one (a dead seeder not yet timed out), it would come back 1.5 s
   * later while the wire it left, alive but slow, still sends the block: fetched twice.
   */
  const responsive = (w: Wire, index: number) => !stalledWires.has(w) && canServe(w, index)

  const tick = () => {
    if (!t.ready || t.destroyed) return
    let changed = false
    const at = now()
    for (const [wire, mine] of outstanding) {
      const silent = mine.size > 0 && at - (heard.get(wire) ?? at) > stallMs
      if (silent && !stalledWires.has(wire)) {
        stalledWires.add(wire)
        log.warn('%s stalled: no block for %d ms, %d requests out', wire.peerId, stallMs, mine.size)
      }
      const late = silent
        ? [...mine.values()]
        : overdue(mine.values(), at, o.deadlineMs, (i) => !!t._critical[i])
      for (const r of late) {
        if (exclusive.has(r.index)) continue
        const s = slow.get(r.index) ?? new Set<Wire>()
        const other = t.wires.some((w) => w !== wire && !s.has(w) && responsive(w, r.index))
        if (!other) continue
        // A free wire is told (its callback then frees the block as below); see the module comment.
        if (priceOf(wire) === 0) wire.cancel(r.index, r.offset, r.length)
        const piece = t.pieces[r.index]
        if (piece instanceof BigPiece) piece.cancel(piece.blockAt(r.offset))
        const res = t._reservations[r.index]
        if (res) for (let k = 0; k < res.length; k++) if (res[k] === wire) res[k] = null
        s.add(wire)
        slow.set(r.index, s)
        mine.delete(`${r.index}:${r.offset}`)
        reissued++
        changed = true
      }
    }
    if (changed) t._update()
  }
  const timer = setInterval(tick, o.tickMs)

  /** Selects the waited-for slices, then the window, each missing one critical. */
  const applySelection = () => {
    if (!t.ready || t.destroyed) return
    for (const i of selected) t._deselect(i, i, true)
    selected = []
    t._critical = []
    const n = t.pieces.length
    const pick = (i: number, priority: number) => {
      if (i < 0 || i >= n || t.bitfield?.get(i) || t._critical[i]) return
      t._select(i, i, priority, undefined, true)
      t._critical[i] = true
      selected.push(i)
    }
    let k = 0
    for (const i of wanted.keys()) pick(i, WANTED_PRIORITY - k++)
    if (windowRange)
      for (
        let i = Math.max(0, windowRange[0]), k = 0;
        i <= Math.min(windowRange[1], n - 1);
        i++, k++
      )
        pick(i, Math.max(1, 1000 - k))
    if (selected.length > 0) t._update()
  }
  const onMetadata = () => {
    swapAll()
    preferStarted()
  }
  const onReady = () => {
    onMetadata()
    applySelection()
  }

  logTimeline(t)
  const stopTrace = tracePicking(t)
  t.on('metadata', onMetadata)
  t.on('ready', onReady)
  t.on('wire', onWire)
  t.on('verified', onVerified)
  t.on('warning', onWarning)
  if (t.pieces.length > 0) onMetadata()
  for (const w of t.wires) onWire(w)

  return {
    setWindow(first, last) {
      windowRange = [first, last]
      applySelection()
    },
    want(i) {
      const n = wanted.get(i) ?? 0
      wanted.set(i, n + 1)
      if (n === 0) applySelection()
    },
    unwant(i) {
      const n = wanted.get(i) ?? 0
      if (n > 1) wanted.set(i, n - 1)
      else if (wanted.delete(i)) applySelection()
    },
    inflight() {
      const out = new Set<number>()
      for (const mine of outstanding.values()) for (const r of mine.values()) out.add(r.index)
      return out
    },
    banned: () => [...banned],
    reissued: () => reissued,
    stalled: () => [...stalledWires].map((w) => w.peerId),
    stop() {
      clearInterval(timer)
      stopTrace()
      attempts.clear()
      suspects.clear()
      t.removeListener('metadata', onMetadata)
      t.removeListener('ready', onReady)
      t.removeListener('wire', onWire)
      t.removeListener('verified', onVerified)
      t.removeListener('warning', onWarning)
    },
  }
}
