import type { IncomingMessage } from 'node:http'
import Server from 'bittorrent-tracker/server'
import { type LimitStats, type RelayLimits, TokenBuckets } from './limits.ts'
import { logger } from './log.ts'

const log = logger('tracker')

export type Tracker = {
  url: string
  port: number
  /** Open tracker sockets now. */
  sockets(): number
  /** Torrents (swarms) the tracker holds now. */
  torrents(): number
  stop(): Promise<void>
}

/** A tracker client's WebSocket (ws), with the gate's own fields. */
type ClientSocket = {
  send(data: string): void
  terminate(): void
  once(event: 'close', f: () => void): void
  on(event: 'message', f: (data: unknown) => void): void
  removeListener(event: 'message', f: (data: unknown) => void): void
  /** bittorrent-tracker's message listener, which it removes by this name on close. */
  onMessageBound: ((data: unknown) => void) | null
  hcId?: string
  /** The upgrade request, which bittorrent-tracker keeps (its socket is let go later). */
  upgradeReq?: { socket?: { remoteAddress?: string } | null }
  /** The client's IP address, read from the upgrade request as the socket opens. */
  hcIp?: string
  hcRefusing?: boolean
  hcRefusals?: number
}

/**
 * Puts `admit` in front of bittorrent-tracker's message listener on every client socket: a
 * message it refuses is never parsed (JSON), looked up or answered by the library.
 */
function gateMessages(server: Server, admit: (socket: ClientSocket, data: unknown) => boolean) {
  const lib = server as unknown as {
    onWebSocketConnection(socket: ClientSocket, opts?: unknown): void
  }
  const attach = lib.onWebSocketConnection.bind(server)
  lib.onWebSocketConnection = (socket, opts) => {
    attach(socket, opts)
    socket.hcIp = socket.upgradeReq?.socket?.remoteAddress ?? ''
    const parse = socket.onMessageBound
    if (!parse) return
    socket.removeListener('message', parse)
    socket.onMessageBound = (data) => {
      if (admit(socket, data)) parse(data)
    }
    socket.on('message', socket.onMessageBound)
  }
}

/** A `failure reason` reply to a refused message, naming its torrent when it has one. */
function refusalOf(data: unknown, reason: string): string {
  let msg: { action?: unknown; info_hash?: unknown } = {}
  try {
    msg = JSON.parse(String(data)) as typeof msg
  } catch {
    // not JSON: the reply names no torrent
  }
  return JSON.stringify({
    action: msg.action === 'scrape' ? 'scrape' : 'announce',
    'failure reason': reason,
    ...(typeof msg.info_hash === 'string' ? { info_hash: msg.info_hash } : {}),
  })
}

/** What the relay reads of a bittorrent-tracker swarm: its LRU of peers. */
type Swarm = { peers: { length: number } }

/** The tracker's view of a client: the socket it set on every parsed announce. */
type AnnounceParams = { socket?: { infoHashes?: string[] | null } }

/**
 * A WebSocket BitTorrent tracker (BEP 15 over WebSocket, as WebTorrent speaks it) for WebRTC
 * signalling between tabs. Only the ws server: no UDP, no HTTP, no stats page. Malformed
 * messages are reported by the library as warnings, which are logged and dropped.
 *
 * Limits (relay/limits.ts), through the library's hooks: `verifyClient` refuses sockets over
 * the per-IP count; each message a socket sends meets the client's token bucket before the
 * library parses it (see {@link gateMessages}); `filter` refuses torrents over the client's
 * and the tracker's counts, which the library answers with a `failure reason`. A client is its
 * socket: peer ids are free to invent.
 */
export async function startTracker(opts: {
  host: string
  port: number
  limits: RelayLimits
  stats: LimitStats
}): Promise<Tracker> {
  const { limits, stats } = opts
  const perIp = new Map<string, number>()
  const buckets = new TokenBuckets({
    capacity: limits.announceBurst,
    perSecond: limits.announcesPerSecond,
  })
  const ipBuckets = new TokenBuckets({
    capacity: limits.announceIpBurst,
    perSecond: limits.announcesPerIpPerSecond,
  })
  const newSockets = new TokenBuckets({
    capacity: limits.maxTrackerSocketsPerIp,
    perSecond: limits.trackerSocketsPerIpPerSecond,
  })
  let nextId = 0
  const server = new Server({
    udp: false,
    http: false,
    ws: {
      // An announce or offer is a few KiB; anything far larger is hostile and dropped by ws.
      maxPayload: 256 * 1024,
      verifyClient: (info: { req: IncomingMessage }) => {
        const ip = info.req.socket.remoteAddress ?? ''
        const n = perIp.get(ip) ?? 0
        if (n >= limits.maxTrackerSocketsPerIp || newSockets.take(ip) > 0) {
          stats.trackerSocketsRefused++
          return false
        }
        perIp.set(ip, n + 1)
        info.req.socket.once('close', () => {
          const left = (perIp.get(ip) ?? 1) - 1
          if (left > 0) perIp.set(ip, left)
          else perIp.delete(ip)
        })
        return true
      },
    },
    stats: false,
    trustProxy: false,
    filter(infoHash, params, cb) {
      const socket = (params as AnnounceParams).socket
      if (!socket) return cb(null)
      const joined = socket.infoHashes ?? []
      const isNew = !Object.hasOwn(swarms(), infoHash)
      const refusal =
        !joined.includes(infoHash) && joined.length >= limits.maxTorrentsPerClient
          ? `too many torrents on one connection (at most ${limits.maxTorrentsPerClient})`
          : isNew && torrents >= limits.maxTorrents
            ? 'too many torrents on this tracker; try again later'
            : null
      if (refusal === null) {
        if (isNew) torrents++
        stats.announcesAccepted++
        return cb(null)
      }
      stats.announcesDropped++
      cb(new Error(refusal))
    },
  })
  gateMessages(server, (socket, data) => {
    if (socket.hcId === undefined) {
      const id = String(nextId++)
      socket.hcId = id
      socket.once('close', () => buckets.delete(id))
    }
    // The socket's own budget first, so that a socket over it does not spend its neighbours'.
    const wait = buckets.take(socket.hcId) || ipBuckets.take(socket.hcIp ?? '')
    if (wait === 0) {
      socket.hcRefusing = false
      return true
    }
    stats.announcesDropped++
    // The first refusal of a run is answered, so a client learns when to come back; the rest
    // of the run is dropped unread and unanswered: a flood is not worth a reply each.
    if (!socket.hcRefusing) {
      socket.hcRefusing = true
      socket.send(refusalOf(data, `too many announces: try again in ${Math.ceil(wait / 1000)} s`))
    }
    // A client that goes on announcing after a burst's worth of refusals is flooding (a
    // WebTorrent client backs off to the tracker's interval): its socket is closed, so the
    // flood costs it a new connection (per-IP capped) instead of the relay's time.
    socket.hcRefusals = (socket.hcRefusals ?? 0) + 1
    if (socket.hcRefusals === limits.announceBurst + 1) {
      stats.trackerSocketsClosed++
      socket.terminate()
    }
    return false
  })

  const swarms = () => (server as unknown as { torrents: Record<string, Swarm> }).torrents
  let torrents = 0
  // bittorrent-tracker keeps every swarm it ever made; an empty one (its peers left or
  // expired) is dropped here, so random info hashes cannot grow the tracker without end.
  const sweep = setInterval(() => {
    const all = swarms()
    for (const infoHash of Object.keys(all))
      if ((all[infoHash]?.peers.length ?? 0) === 0) {
        delete all[infoHash]
        torrents--
      }
  }, limits.torrentSweepMs)
  sweep.unref()
  // A refused announce comes back as a warning too; the counters say how many, not the log.
  server.on('warning', (err: Error) => {
    if (!/^too many |^WebSocket is not open/.test(err.message))
      log.warn('dropped bad input: %s', err.message)
  })
  server.on('error', (err: Error) => log.warn('error: %s', err.message))
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
    server.listen(opts.port, opts.host)
  })
  const port = (server.ws as { address(): { port: number } }).address().port
  return {
    url: `ws://${opts.host}:${port}`,
    port,
    sockets: () => [...perIp.values()].reduce((a, b) => a + b, 0),
    torrents: () => torrents,
    stop: () => {
      clearInterval(sweep)
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
