import { readFile } from 'node:fs/promises'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { AppConfig, ChainConfig } from '../src/shared/config.ts'
import { appCsp, connectSourcesOf } from '../src/shared/csp.ts'
import { createFaucet } from './faucet.ts'
import { startAppServer } from './http.ts'
import { loadOrCreateKey, loadOrCreateTurnSecret } from './key.ts'
import { emptyLimitStats, type LimitStats, RELAY_LIMITS, type RelayLimits } from './limits.ts'
import { logger } from './log.ts'
import { startRelayNode } from './p2p.ts'
import { startTracker } from './tracker.ts'
import { startTurn } from './turn.ts'

const log = logger('main')

export type RelayOptions = {
  host?: string
  /** Port of the app and `/config.json`; 0 picks a free one. */
  httpPort?: number
  /** Port of the libp2p websockets listener. */
  p2pPort?: number
  /** Port of the WebSocket BitTorrent tracker. */
  trackerPort?: number
  /** UDP port of the TURN server (privacy mode); 0 picks a free one. */
  turnPort?: number
  /** Keeps the relay's key (its peer id) across restarts. */
  dataDir: string
  /** The built app (dist/). */
  appDir: string
  /** A JSON file with the {@link ChainConfig} written by the deploy step, if any. */
  chainConfigFile?: string | undefined
  /** Overrides of {@link RELAY_LIMITS} (tests tighten them). */
  limits?: Partial<RelayLimits>
}

/** What the limits refused so far, and the relay's load now (the `stats` line of main.ts). */
export type RelayStats = LimitStats & {
  connections: number
  reservations: number
  graylisted: number
  /** Times a libp2p connection was paused for reading over its byte budget or the total. */
  readsPaused: number
  trackerSockets: number
  torrents: number
  rssBytes: number
  heapUsedBytes: number
  /** Event-loop delay since the relay started or {@link Relay.resetLoopDelay}: p99 and worst, ms. */
  loopDelayP99Ms: number
  loopDelayMaxMs: number
}

export type Relay = {
  url: string
  peerId: string
  multiaddrs: string[]
  tracker: string
  /** The TURN server's URL (`turn:<host>:<port>?transport=udp`). */
  turn: string
  ports: { http: number; p2p: number; tracker: number; turn: number }
  stats(): RelayStats
  /** Starts the event-loop delay figures of {@link stats} afresh (the load test, as its flood starts). */
  resetLoopDelay(): void
  stop(): Promise<void>
}

/** Starts the relay's parts: libp2p peer, tracker, TURN server, and the app server. */
export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const host = opts.host ?? '127.0.0.1'
  const chain = opts.chainConfigFile
    ? (JSON.parse(await readFile(opts.chainConfigFile, 'utf8')) as ChainConfig)
    : null
  const privateKey = await loadOrCreateKey(opts.dataDir)
  const limits = { ...RELAY_LIMITS, ...opts.limits }
  const counters = emptyLimitStats()
  const p2p = await startRelayNode({
    host,
    port: opts.p2pPort ?? 0,
    privateKey,
    limits,
    stats: counters,
  })
  const tracker = await startTracker({
    host,
    port: opts.trackerPort ?? 0,
    limits,
    stats: counters,
  })
  const turn = await startTurn({
    host,
    port: opts.turnPort ?? 0,
    secret: await loadOrCreateTurnSecret(opts.dataDir),
  })
  const peerId = p2p.node.peerId.toString()
  const config = (): AppConfig => ({
    v: 1,
    chain,
    // Fresh TURN credentials per request: each set expires a day after the app loaded it.
    relay: { peerId, multiaddrs: p2p.multiaddrs, tracker: tracker.url, turn: turn.credentials() },
    dev: chain === null || chain.chainId === 31337,
  })
  const faucet = chain ? createFaucet(chain, limits, counters) : null
  const app = await startAppServer({
    host,
    port: opts.httpPort ?? 0,
    appDir: opts.appDir,
    config: () => JSON.stringify(config()),
    csp: appCsp(connectSourcesOf(config())),
    post: faucet
      ? {
          '/faucet': (req, client) =>
            faucet.drip(String((req as { address?: unknown })?.address ?? ''), client.ip),
        }
      : {},
  })
  // How late the event loop runs timers: what every peer's next message waits on top of its own.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  const p2pPort = Number(/\/tcp\/(\d+)\//.exec(p2p.multiaddrs[0] ?? '')?.[1] ?? 0)
  log('ready at %s', app.url)
  return {
    url: app.url,
    peerId,
    multiaddrs: p2p.multiaddrs,
    tracker: tracker.url,
    turn: turn.url,
    ports: { http: app.port, p2p: p2pPort, tracker: tracker.port, turn: turn.port },
    stats: () => {
      const mem = process.memoryUsage()
      return {
        ...counters,
        ...p2p.gauges(),
        trackerSockets: tracker.sockets(),
        torrents: tracker.torrents(),
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        loopDelayP99Ms: loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : 0,
        loopDelayMaxMs: loopDelay.count > 0 ? loopDelay.max / 1e6 : 0,
      }
    },
    resetLoopDelay: () => loopDelay.reset(),
    async stop() {
      loopDelay.disable()
      await Promise.allSettled([app.stop(), tracker.stop(), turn.stop(), p2p.stop()])
    },
  }
}
