/**
 * Keeping every torrent's link to the WebSocket tracker alive through a relay restart
 * (issue 20's drill). bittorrent-tracker's WebSocket tracker client (11.x, inside webtorrent's
 * bundle) has two faults here:
 *  - it reconnects after `random(0…300 s) + 10 s·2^retries`: a relay restart left seeders off
 *    the new tracker for minutes, so a peer that joined after it found nobody;
 *  - trackers sharing one pooled socket (every torrent of a tab shares the tracker's) that
 *    reopen while the pooled socket is still connecting never hear its `connect`, stay
 *    `reconnecting` and drop every announce from then on: a seeder never announced again.
 * The library has no option for either (its delays are module constants of the bundle), so
 * each tracker instance gets its own reconnect timer ({@link reconnectDelay}: 1 s doubling
 * to 8 s, plus up to 1 s of jitter), and a tick wakes a tracker whose socket connected without
 * telling it. The library's own `_onSocketConnect` then announces the torrent again — with
 * `left: 0` for a seeder — as it does after every reconnect.
 */
import { logger } from '../log.ts'

const log = logger('swarm')

/** The first reconnect waits this long, doubling per failed try… */
export const RECONNECT_BASE_MS = 1_000
/** …up to this… */
export const RECONNECT_MAX_MS = 8_000
/** …plus up to this much at random, so tabs do not all come back in the same instant. */
export const RECONNECT_JITTER_MS = 1_000
/** How often the trackers are looked at (new torrents, stuck ones). */
export const TRACKER_TICK_MS = 1_000

/** A prompt reconnect delay after `retries` failed tries. */
export function reconnectDelay(retries: number, random: () => number = Math.random): number {
  const backoff = Math.min(RECONNECT_BASE_MS * 2 ** Math.max(0, retries), RECONNECT_MAX_MS)
  return backoff + Math.floor(random() * RECONNECT_JITTER_MS)
}

/** What this module uses of bittorrent-tracker's `WebSocketTracker` (lib/client/websocket-tracker.js). */
export type WsTracker = {
  announceUrl: string
  destroyed: boolean
  reconnecting: boolean
  retries: number
  reconnectTimer: ReturnType<typeof setTimeout> | null
  socket: {
    connected: boolean
    once(ev: 'connect', fn: () => void): void
    listeners(ev: 'connect'): unknown[]
  } | null
  _onSocketConnectBound: (() => void) | null
  _openSocket(): void
  _onSocketConnect(): void
  _startReconnectTimer(): void
}

/** A tracker client (`torrent.discovery.tracker`): its per-URL trackers. */
export type TrackerClient = { _trackers?: unknown[] }

const tuned = new WeakSet<object>()

function isWsTracker(t: unknown): t is WsTracker {
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof (t as WsTracker)._startReconnectTimer === 'function' &&
    typeof (t as WsTracker)._openSocket === 'function' &&
    typeof (t as WsTracker)._onSocketConnect === 'function'
  )
}

/** Replaces one tracker's reconnect timer with {@link reconnectDelay}'s. */
function promptReconnect(t: WsTracker, random: () => number): void {
  t._startReconnectTimer = () => {
    const ms = reconnectDelay(t.retries, random)
    t.reconnecting = true
    if (t.reconnectTimer) clearTimeout(t.reconnectTimer)
    t.reconnectTimer = setTimeout(() => {
      t.retries++
      t._openSocket()
      // A pooled socket another tracker opened and that is still connecting: the library
      // only listens for `connect` on a socket it creates itself.
      const s = t.socket
      const onConnect = t._onSocketConnectBound
      if (
        !t.destroyed &&
        s &&
        !s.connected &&
        onConnect &&
        !s.listeners('connect').includes(onConnect)
      )
        s.once('connect', onConnect)
    }, ms)
    log('tracker %s: reconnecting in %d ms', t.announceUrl, ms)
  }
}

/**
 * Makes every WebSocket tracker of `client` reconnect promptly, and wakes one left
 * `reconnecting` on a socket that is connected (it then announces). Idempotent: called on
 * every tick for every torrent.
 */
export function tuneTrackers(client: TrackerClient | null | undefined, random = Math.random): void {
  for (const t of client?._trackers ?? []) {
    if (!isWsTracker(t)) continue
    if (!tuned.has(t)) {
      tuned.add(t)
      promptReconnect(t, random)
      // Already waiting on the library's long timer: wait on a short one instead.
      if (t.reconnecting && t.destroyed && t.reconnectTimer) t._startReconnectTimer()
    }
    if (t.reconnecting && !t.destroyed && t.socket?.connected) {
      log('tracker %s: reconnected; announcing again', t.announceUrl)
      t._onSocketConnect()
    }
  }
}

/** What {@link keepTrackers} needs of the webtorrent client. */
export type TorrentsHolder = {
  torrents: { discovery?: { tracker?: unknown } | null }[]
}

/**
 * Tunes the trackers of every torrent of `client` (content and previews) every `tickMs`
 * ({@link TRACKER_TICK_MS}); `random` draws the jitter (tests). Returns the stop function.
 */
export function keepTrackers(
  client: TorrentsHolder,
  {
    tickMs = TRACKER_TICK_MS,
    random = Math.random,
  }: { tickMs?: number; random?: () => number } = {},
): () => void {
  const timer = setInterval(() => {
    for (const t of client.torrents)
      tuneTrackers(t.discovery?.tracker as TrackerClient | undefined, random)
  }, tickMs)
  return () => clearInterval(timer)
}
