/**
 * The relay's limits in one place (issue #20, "a hardened relay"). Every number bounds what
 * one peer, one client or one IP address can make the relay do, so a flood costs the flooder
 * its own budget and the relay's memory stays bounded. The numbers and why are in the README's
 * security section; each is a relay option so a test can tighten it.
 */
export type RelayLimits = {
  /** libp2p connections the relay keeps in all (the connection manager prunes above it). */
  maxConnections: number
  /** Open libp2p connections from one IP address (a household or office NAT holds several tabs). */
  maxConnectionsPerIp: number
  /** New libp2p connections per second from one IP address (libp2p's own rate limiter). */
  connectionsPerIpPerSecond: number
  /** Connections still in their handshake at once. */
  maxPendingConnections: number
  /**
   * Bytes the relay reads from one libp2p connection: sustained rate and burst. Past it the
   * relay stops reading the connection's socket until the budget refills, so a flooder waits
   * on TCP instead of the relay decrypting, demultiplexing and decoding all it sends.
   */
  connectionReadBytesPerSecond: number
  connectionReadByteBurst: number
  /**
   * Bytes the relay reads from all busy libp2p connections together: sustained rate and burst.
   * A quiet connection, within `readQuietBytesPerSecond` (burst `readQuietBytes`), a tab's
   * pace, is never paused for the total: under a flood from many connections, each within its
   * own budget, the busy ones wait and a tab's traffic is still read at once.
   */
  readTotalBytesPerSecond: number
  readTotalByteBurst: number
  readQuietBytesPerSecond: number
  readQuietBytes: number
  /**
   * Of every byte the relay sends a connection, the share that connection may send back and
   * stay quiet: its flow control (yamux window updates, one per frame it reads) grows with
   * what it is sent, so a tab the relay forwards a flood to is not taken for a flooder.
   */
  readQuietShareOfSent: number
  /** Circuit reservations held at once, and by the tabs of one IP address. */
  maxReservations: number
  maxReservationsPerIp: number
  /** Gossip per peer, as token buckets: sustained rate and burst, in messages and bytes. */
  gossipMessagesPerSecond: number
  gossipMessageBurst: number
  gossipBytesPerSecond: number
  gossipByteBurst: number
  /**
   * What the relay forwards in all, from every peer together (each message it accepts goes to
   * every subscriber): sustained rate and burst. The last `gossipQuietReserve` messages of
   * that burst are kept for quiet peers, those within `gossipQuietMessagesPerSecond` (burst
   * `gossipQuietMessageBurst`), a tab's own pace: when many peers send at once, the busiest
   * are shed first and a tab's cards still pass.
   */
  gossipTotalMessagesPerSecond: number
  gossipTotalMessageBurst: number
  gossipQuietReserve: number
  gossipQuietMessagesPerSecond: number
  gossipQuietMessageBurst: number
  /**
   * The longest the relay works through received gossip before it gives the event loop a
   * turn. A backlog (a flood's RPCs, queued while the relay was busy) is otherwise drained in
   * one chain of promises that lets no timer, ping or other socket run for seconds.
   */
  gossipSliceMs: number
  /** Tracker announces (offers and answers included) per WebSocket client: rate and burst. */
  announcesPerSecond: number
  announceBurst: number
  /**
   * Tracker announces from all the sockets of one IP address together: rate and burst. A
   * client that has its socket closed for flooding and opens another does not get a new budget.
   */
  announcesPerIpPerSecond: number
  announceIpBurst: number
  /** Torrents one tracker client may be in at once, and the tracker in all. */
  maxTorrentsPerClient: number
  maxTorrents: number
  /** How often the tracker drops swarms no peer is in any more. */
  torrentSweepMs: number
  /** Open tracker WebSockets from one IP address, and new ones per second (burst: the cap). */
  maxTrackerSocketsPerIp: number
  trackerSocketsPerIpPerSecond: number
  /** Dev faucet: one drip per address per this long; per IP a burst, then one per interval. */
  faucetAddressIntervalMs: number
  faucetIpBurst: number
  faucetIpIntervalMs: number
}

export const RELAY_LIMITS: RelayLimits = {
  maxConnections: 1024,
  maxConnectionsPerIp: 32,
  connectionsPerIpPerSecond: 5,
  maxPendingConnections: 32,
  // The gossip byte budget below, and its burst (the rest of a tab's traffic, signalling
  // through circuit reservations, is a few KiB).
  connectionReadBytesPerSecond: 64 * 1024,
  connectionReadByteBurst: 512 * 1024,
  // What the relay's one core decrypts, demultiplexes and decodes beside its other work (a
  // flood read at ≈ 30 MiB/s held it at 100 %). A tab sends a few KiB/s (its cards, ≤ 16 KiB,
  // and gossip control), so 8 KiB/s with a 64 KiB burst keeps it quiet; 1,000 quiet
  // connections read 8 MiB/s at most.
  readTotalBytesPerSecond: 4 * 1024 * 1024,
  readTotalByteBurst: 8 * 1024 * 1024,
  readQuietBytesPerSecond: 8 * 1024,
  readQuietBytes: 64 * 1024,
  // A tab forwarded ~300 flood messages/s (≈ 800 KB/s) answers with ≈ 30 KB/s of window
  // updates in ≈ 2,000 tiny messages (measured 2026-12-06): 3.75 %. Only the relay's mesh
  // peers are forwarded much, so this allowance is bounded by the mesh degree.
  readQuietShareOfSent: 1 / 8,
  maxReservations: 512,
  maxReservationsPerIp: 32,
  // A tab announces itself every 3 s and posts a card, a view or an availability summary
  // now and then (at most one summary per item a minute): 20/s with a burst of 100 is ten
  // times a busy tab's peak; a card is ≤ 16 KiB, so 64 KiB/s with a 512 KiB burst.
  gossipMessagesPerSecond: 20,
  gossipMessageBurst: 100,
  gossipBytesPerSecond: 64 * 1024,
  gossipByteBurst: 512 * 1024,
  // The relay's one core verifies a signature and forwards to each subscriber per message:
  // 500/s in all is what it keeps up with beside the tracker; a quiet peer is one at 2/s
  // (burst 20), six times a tab's announces, and a quarter of the burst waits for them.
  gossipTotalMessagesPerSecond: 500,
  gossipTotalMessageBurst: 1000,
  gossipQuietReserve: 250,
  gossipQuietMessagesPerSecond: 2,
  gossipQuietMessageBurst: 20,
  // A tab's ping and a card wait at most about this long behind a flood's backlog.
  gossipSliceMs: 10,
  // webtorrent announces each torrent every 2 min (the ws interval) and answers each offer:
  // a tab seeding 200 items needs under 2/s; 10/s with a burst of 200 covers its start.
  announcesPerSecond: 10,
  announceBurst: 200,
  // A NAT of 25 tabs at a busy tab's 2/s, and five tabs starting at once.
  announcesPerIpPerSecond: 50,
  announceIpBurst: 1000,
  maxTorrentsPerClient: 1000,
  // The library never forgets a swarm; the relay sweeps empty ones (`torrentSweepMs`) and refuses
  // new torrents above this (≈ 1 KiB each, so ≈ 50 MiB at most).
  maxTorrents: 50_000,
  torrentSweepMs: 30_000,
  // A tab holds one or two tracker sockets (content and previews), more while reconnecting.
  maxTrackerSocketsPerIp: 64,
  // A tab opens its sockets once and again only when one drops; libp2p's own rate, 5/s.
  trackerSocketsPerIpPerSecond: 5,
  faucetAddressIntervalMs: 10_000,
  faucetIpBurst: 100,
  faucetIpIntervalMs: 3_000,
}

/** A request over its budget: `retryAfterMs` says when one more would be allowed. */
export class RateLimitError extends Error {
  override readonly name = 'RateLimitError'
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message)
  }
}

type Bucket = { tokens: number; at: number }

/**
 * Token buckets by key (a peer id, a socket, an IP address): `capacity` tokens, refilled at
 * `perSecond`. Memory is bounded: at most `maxKeys` buckets; a full bucket is the same as no
 * bucket, so those are swept first, and when every bucket is in use a new key is refused
 * (fail closed) rather than evicting someone's debt.
 *
 * @example
 * const b = new TokenBuckets({ capacity: 100, perSecond: 20 })
 * if (b.take(peerId) > 0) drop()
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()
  private readonly maxKeys: number

  constructor(
    private readonly o: { capacity: number; perSecond: number; maxKeys?: number },
    private readonly now: () => number = Date.now,
  ) {
    this.maxKeys = o.maxKeys ?? 65_536
  }

  /**
   * Takes `n` tokens from `key`'s bucket, leaving at least `keep` in it: 0 when taken, else
   * the milliseconds until they would be.
   */
  take(key: string, n = 1, keep = 0): number {
    const now = this.now()
    let b = this.buckets.get(key)
    if (b) {
      b.tokens = Math.min(this.o.capacity, b.tokens + ((now - b.at) / 1000) * this.o.perSecond)
      b.at = now
    } else {
      if (this.buckets.size >= this.maxKeys) this.sweep(now)
      if (this.buckets.size >= this.maxKeys) return 1000
      b = { tokens: this.o.capacity, at: now }
      this.buckets.set(key, b)
    }
    if (b.tokens - n >= keep) {
      b.tokens -= n
      return 0
    }
    return Math.ceil(((n + keep - b.tokens) / this.o.perSecond) * 1000)
  }

  /** The tokens `key` has now, without taking any (a new key has a full bucket). */
  peek(key: string): number {
    const b = this.buckets.get(key)
    if (!b) return this.o.capacity
    return Math.min(this.o.capacity, b.tokens + ((this.now() - b.at) / 1000) * this.o.perSecond)
  }

  /** Forgets `key` (a peer that left). */
  delete(key: string): void {
    this.buckets.delete(key)
  }

  get size(): number {
    return this.buckets.size
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets)
      if (b.tokens + ((now - b.at) / 1000) * this.o.perSecond >= this.o.capacity)
        this.buckets.delete(key)
  }
}

/** Counts what the limits refused, for the stats line and the load test. */
export type LimitStats = {
  gossipAccepted: number
  gossipDropped: number
  /** Messages within their peer's budget that the relay's total budget shed. */
  gossipShed: number
  announcesAccepted: number
  announcesDropped: number
  trackerSocketsRefused: number
  trackerSocketsClosed: number
  connectionsRefused: number
  reservationsRefused: number
  faucetRefused: number
}

export const emptyLimitStats = (): LimitStats => ({
  gossipAccepted: 0,
  gossipDropped: 0,
  gossipShed: 0,
  announcesAccepted: 0,
  announcesDropped: 0,
  trackerSocketsRefused: 0,
  trackerSocketsClosed: 0,
  connectionsRefused: 0,
  reservationsRefused: 0,
  faucetRefused: 0,
})

/**
 * Wraps an async handler so that calls made back to back (a backlog drained in microtasks,
 * which never yield to timers or sockets) give the event loop a turn once every `sliceMs`.
 * Calls run one at a time, in the order they came — those `urgent` says are urgent ahead of
 * the others, taking turns with them — and when the slice is spent the next waits for the
 * next turn of the event loop (one `setImmediate`). Many
 * callers at once — every peer's RPC handler — thus share one slice per turn: were each to
 * start as it came, one turn would start a message from every waiting peer, and their work,
 * done in later microtasks, would hold the loop for seconds. A call still pending after
 * `sliceMs × 10` (waiting on I/O, not the CPU) lets the next one start.
 *
 * @example
 * const handle = yieldingEvery(10, (msg) => process(msg), { urgent: (msg) => msg.fromTab })
 */
export function yieldingEvery<A extends unknown[], R>(
  sliceMs: number,
  handle: (...args: A) => Promise<R>,
  o: { urgent?: (...args: A) => boolean; now?: () => number } = {},
): (...args: A) => Promise<R> {
  const now = o.now ?? (() => performance.now())
  type Job = () => void
  const urgent: Job[] = []
  const normal: Job[] = []
  let since = now()
  let running = false
  let waiting = false
  let urgentLast = false
  const next = () => {
    if (running) return
    // Urgent calls first, but turn about with the others while both wait: whoever can make
    // its calls look urgent cannot starve the rest.
    const queue = urgent.length > 0 && (normal.length === 0 || !urgentLast) ? urgent : normal
    if (queue.length === 0) return
    if (now() - since >= sliceMs) {
      if (!waiting) {
        waiting = true
        setImmediate(() => {
          waiting = false
          since = now()
          next()
        })
      }
      return
    }
    running = true
    urgentLast = queue === urgent
    queue.shift()?.()
  }
  return (...args) =>
    new Promise<R>((resolve, reject) => {
      const job = () => {
        let done = false
        const finish = () => {
          if (done) return
          done = true
          clearTimeout(stuck)
          running = false
          next()
        }
        const stuck = setTimeout(finish, sliceMs * 10)
        new Promise<R>((settle) => settle(handle(...args))).then(resolve, reject).finally(finish)
      }
      ;(o.urgent?.(...args) ? urgent : normal).push(job)
      next()
    })
}

/** What {@link ReadBudget} needs of a socket: `ws`'s WebSocket has these. */
export type PausableSocket = {
  on(event: 'message', f: (data: ArrayBuffer | ArrayBufferView | string) => void): unknown
  once(event: 'close', f: () => void): unknown
  pause(): void
  resume(): void
  send(data: ArrayBuffer | ArrayBufferView | string, ...rest: never[]): void
}

const byteLength = (data: ArrayBuffer | ArrayBufferView | string) =>
  typeof data === 'string' ? data.length : data.byteLength

/**
 * Reads sockets within byte budgets: each socket its own (`perSocket`), and the busy ones all
 * together a total (`total`); a quiet socket, within `quiet` (a tab's pace, plus `quietShare`
 * of what the relay sends it: the flow control it answers with), is never held back for the
 * total. A message that takes a budget below zero pauses the socket until the
 * debt is paid back; what the peer sends meanwhile waits in the kernel's buffers and then its
 * own, as TCP back-pressure, instead of costing the relay its CPU.
 *
 * @example
 * const reads = new ReadBudget(limits)
 * reads.attach(websocket)
 */
export class ReadBudget {
  private readonly total: Bucket
  /** Times a socket was paused. */
  paused = 0

  constructor(
    private readonly o: {
      perSocket: { capacity: number; perSecond: number }
      total: { capacity: number; perSecond: number }
      quiet: { capacity: number; perSecond: number }
      /** The share of the bytes sent to a socket it may send back and stay quiet. */
      quietShare?: number
    },
    private readonly now: () => number = Date.now,
  ) {
    this.total = { tokens: o.total.capacity, at: now() }
  }

  attach(socket: PausableSocket): void {
    const own: Bucket = { tokens: this.o.perSocket.capacity, at: this.now() }
    const calm: Bucket = { tokens: this.o.quiet.capacity, at: this.now() }
    let timer: ReturnType<typeof setTimeout> | undefined
    const share = this.o.quietShare ?? 0
    if (share > 0) {
      const send = socket.send.bind(socket)
      socket.send = (data, ...rest) => {
        const t = this.now()
        spend(calm, this.o.quiet, 0, t) // refilled to now, then credited
        calm.tokens = Math.min(this.o.quiet.capacity, calm.tokens + byteLength(data) * share)
        send(data, ...rest)
      }
    }
    socket.on('message', (data) => {
      const n = byteLength(data)
      const t = this.now()
      const mine = spend(own, this.o.perSocket, n, t)
      const quiet = spend(calm, this.o.quiet, n, t) >= 0
      // A quiet socket's bytes count towards the total too: busy ones wait for them.
      const all = spend(this.total, this.o.total, n, t)
      if (timer !== undefined) return
      // How long until this socket may read again: its own debt paid, the total out of debt.
      const waitMs = Math.max(
        mine < 0 ? (-mine / this.o.perSocket.perSecond) * 1000 : 0,
        !quiet && all < 0 ? (-all / this.o.total.perSecond) * 1000 : 0,
      )
      if (waitMs <= 0) return
      this.paused++
      socket.pause()
      // Sockets paused together by the total do not all come back in the same millisecond.
      const jitter = mine < 0 ? 1 : 1 + Math.random()
      timer = setTimeout(
        () => {
          timer = undefined
          socket.resume()
        },
        Math.ceil(waitMs * jitter),
      )
    })
    socket.once('close', () => clearTimeout(timer))
  }
}

/** Refills `b` to time `t`, takes `n` (it may go into debt) and returns what is left. */
function spend(b: Bucket, o: { capacity: number; perSecond: number }, n: number, t: number) {
  b.tokens = Math.min(o.capacity, b.tokens + ((t - b.at) / 1000) * o.perSecond) - n
  b.at = t
  return b.tokens
}
