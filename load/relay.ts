import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import type { RelayStats } from '../relay/relay.ts'
import { spawnRelay } from '../scripts/relay-process.ts'
import { TOPICS } from '../src/shared/topics.ts'
import {
  announce,
  binaryId,
  createLoadPeer,
  type LoadPeer,
  spreadOverHosts,
  trackerClient,
  waitForRelayMesh,
} from './peers.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

type Flood = {
  ready: { fakes: number; trackers: number }
  go(): void
  done: Promise<FloodDone>
  kill(): void
}

type FloodDone = {
  gossipSent: number
  announcesSent: number
  aborted: number
  dials: number
  dialsRefused: number
  reopens: number
  reopensRefused: number
}

/** Forks load/flood.ts and waits until its fakes are connected. */
async function startFlood(o: {
  addr: string
  tracker: string
  fakes: number
  hosts: number
  firstHost: number
  seconds: number
}): Promise<Flood> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      join(root, 'scripts/register.mjs'),
      join(root, 'load/flood.ts'),
      o.addr,
      o.tracker,
      String(o.fakes),
      String(o.hosts),
      String(o.seconds),
      String(o.firstHost),
    ],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout })
  const events = new Map<string, (msg: Record<string, number>) => void>()
  lines.on('line', (line) => {
    try {
      const msg = JSON.parse(line) as { event: string } & Record<string, number>
      events.get(msg.event)?.(msg)
    } catch {
      // not a control line
    }
  })
  const exited = new Promise<never>((_, reject) =>
    child.once('close', (code) => reject(new Error(`a flood process exited (code ${code})`))),
  )
  exited.catch(() => {})
  const wait = (event: string) =>
    Promise.race([
      new Promise<Record<string, number>>((resolve) => events.set(event, resolve)),
      exited,
    ])
  const ready = await wait('ready')
  const done = wait('done')
  return {
    ready: { fakes: ready.fakes ?? 0, trackers: ready.trackers ?? 0 },
    go: () => child.stdin.write('go\n'),
    done: done.then((d) => ({
      gossipSent: d.gossipSent ?? 0,
      announcesSent: d.announcesSent ?? 0,
      aborted: d.aborted ?? 0,
      dials: d.dials ?? 0,
      dialsRefused: d.dialsRefused ?? 0,
      reopens: d.reopens ?? 0,
      reopensRefused: d.reopensRefused ?? 0,
    })),
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    },
  }
}

/**
 * The relay's memory ceiling under the load test: its peak resident set (VmHWM) must stay
 * below this. An idle relay holds ≈ 110 MiB; the flood may add buffers, gossipsub's caches
 * and tracker swarms, each bounded by the limits (relay/limits.ts).
 */
export const RSS_CEILING_BYTES = 512 * 1024 * 1024

/**
 * A card that reaches the other honest peer later than this after its publish is counted
 * apart: a feed that shows it half a minute late has, for its reader, lost it.
 */
export const HONEST_DEADLINE_MS = 5_000

export type RelayLoadOptions = {
  /** Fake libp2p peers flooding gossip; as many tracker clients flood announces. */
  fakes: number
  durationMs: number
  /** Loopback source addresses the fakes are spread over (a botnet's hosts). */
  hosts: number
  /** How often each honest peer posts a card. */
  honestIntervalMs?: number
  /** Writes a CPU profile of the relay process (`node --cpu-prof`) into this directory. */
  cpuProfDir?: string
  log?: (line: string) => void
}

export type RelayLoadResult = {
  fakes: number
  durationS: number
  gossip: {
    sent: number
    accepted: number
    dropped: number
    /** Within their peer's budget, shed by the relay's total budget. */
    shed: number
    ignoredOrLost: number
    /** Fakes with no gossip stream to the relay at the end (cut off and not yet back). */
    fakesCutOff: number
    /** Fakes' dials again after a cut-off (each with a new identity), and how many failed. */
    redials: number
    redialsRefused: number
  }
  announces: {
    sent: number
    accepted: number
    refused: number
    socketsClosed: number
    /** Fake tracker clients' new sockets after the relay closed one, and how many failed. */
    reopens: number
    reopensRefused: number
  }
  honest: {
    sent: number
    delivered: number
    /** Of those delivered, how many within {@link HONEST_DEADLINE_MS} of their publish. */
    deliveredInTime: number
    /** Median and worst delay from publish to the other honest peer's receipt. */
    medianMs: number
    maxMs: number
    announcesOk: number
    announcesRefused: number
    /** Times an honest peer lost the relay and dialled it again. */
    redials: number
  }
  relay: {
    peakRssBytes: number
    ceilingBytes: number
    peakGraylisted: number
    /** Event-loop delay of the relay process over the flood: p99 and worst, ms. */
    loopDelayP99Ms: number
    loopDelayMaxMs: number
    connectionsRefused: number
    /** Times a connection's reads were paused over its byte budget or the relay's total. */
    readsPaused: number
    trackerSocketsRefused: number
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The process's peak resident set so far (Linux `VmHWM`), in bytes; 0 where unknown. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1]
  return kb ? Number(kb) * 1024 : 0
}

/**
 * Runs the relay as its own process and floods it: `fakes` libp2p peers publish gossip as
 * fast as they can and `fakes` tracker clients announce random torrents as fast as they can,
 * while two honest peers (the tab's gossipsub settings) post a card each every
 * `honestIntervalMs` on the cards topic and an honest tracker client announces every 2 s.
 * Returns what was sent, what the relay accepted and dropped (its own counters), how many
 * honest cards arrived and how fast, and the relay's peak RSS against {@link RSS_CEILING_BYTES}.
 */
export async function runRelayLoad(opts: RelayLoadOptions): Promise<RelayLoadResult> {
  const log = opts.log ?? (() => {})
  const dir = await mkdtemp(join(tmpdir(), 'relay-load-'))
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>load</title>')
  let last: RelayStats | undefined
  let peakGraylisted = 0
  const relay = await spawnRelay({
    host: '127.0.0.1',
    httpPort: 0,
    p2pPort: 0,
    trackerPort: 0,
    dataDir: join(dir, 'data'),
    appDir: dir,
    stderr: 'ignore',
    nodeArgs: opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [],
    stats: {
      everyMs: 500,
      onStats: (s) => {
        last = s
        peakGraylisted = Math.max(peakGraylisted, s.graylisted)
      },
    },
  })
  const addr = relay.multiaddrs[0] as string
  const stops: Array<() => Promise<unknown> | unknown> = []
  try {
    spreadOverHosts(1, 1)
    const honestA = await createLoadPeer(addr)
    const honestB = await createLoadPeer(addr)
    stops.push(
      () => honestA.stop(),
      () => honestB.stop(),
    )
    await waitForRelayMesh(honestA, TOPICS.cards)
    await waitForRelayMesh(honestB, TOPICS.cards)
    // Like a tab's relay supervisor, an honest peer that loses the relay dials it again.
    let honestRedials = 0
    let stopping = false
    for (const peer of [honestA, honestB])
      peer.addEventListener('peer:disconnect', () => {
        void (async () => {
          while (!stopping && peer.getConnections().length === 0) {
            honestRedials++
            await peer
              .dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) })
              .catch(() => {})
            await sleep(500)
          }
        })()
      })
    stops.unshift(() => {
      stopping = true
    })

    // The flooders live in processes of their own, so their work does not slow the honest
    // peers' event loop: what the honest peers see is the relay's doing.
    const procs = Math.max(1, Math.ceil(opts.fakes / 100))
    const hostsPer = Math.max(1, Math.floor(opts.hosts / procs))
    const floods = await Promise.all(
      Array.from({ length: procs }, (_, k) =>
        startFlood({
          addr,
          tracker: relay.tracker,
          fakes: Math.floor(opts.fakes / procs) + (k < opts.fakes % procs ? 1 : 0),
          hosts: hostsPer,
          firstHost: 2 + k * hostsPer,
          seconds: opts.durationMs / 1000,
        }),
      ),
    )
    for (const f of floods) stops.push(() => f.kill())
    const fakeCount = floods.reduce((a, f) => a + f.ready.fakes, 0)
    const trackerCount = floods.reduce((a, f) => a + f.ready.trackers, 0)
    spreadOverHosts(1, 1)
    const honestTracker = await trackerClient(relay.tracker)
    stops.push(() => honestTracker.terminate())
    log(`${fakeCount} fake peers and ${trackerCount} fake tracker clients connected`)
    relay.child.kill('SIGUSR2') // the event-loop delay figures cover the flood only
    for (const f of floods) f.go()

    const ends = Date.now() + opts.durationMs
    const running = () => Date.now() < ends

    // Honest traffic: cards between A and B, each stamped with its send time.
    const sentAt = new Map<string, number>()
    const delays: number[] = []
    const pair: Array<[LoadPeer, LoadPeer, string]> = [
      [honestA, honestB, 'A'],
      [honestB, honestA, 'B'],
    ]
    for (const [, to] of pair)
      to.services.pubsub.addEventListener('message', (e) => {
        if (e.detail.topic !== TOPICS.cards) return
        const text = new TextDecoder().decode(e.detail.data)
        if (!text.startsWith('honest:')) return
        const t = sentAt.get(text)
        if (t === undefined) return
        sentAt.delete(text)
        delays.push(Date.now() - t)
      })
    let honestSent = 0
    const honestLoop = (async () => {
      let n = 0
      while (running()) {
        for (const [from, , name] of pair) {
          const text = `honest:${name}:${n}:${'x'.repeat(1000)}`
          sentAt.set(text, Date.now())
          honestSent++
          await from.services.pubsub
            .publish(TOPICS.cards, new TextEncoder().encode(text))
            .catch(() => {})
        }
        n++
        await sleep(opts.honestIntervalMs ?? 500)
      }
    })()

    let honestAnnouncesOk = 0
    let honestAnnouncesRefused = 0
    honestTracker.on('message', (data) => {
      const reply = JSON.parse(String(data)) as { 'failure reason'?: string }
      if (reply['failure reason']) honestAnnouncesRefused++
      else honestAnnouncesOk++
    })
    const honestInfoHash = binaryId()
    const honestPeerId = binaryId()
    const honestTrackerLoop = (async () => {
      while (running()) {
        honestTracker.send(announce(honestInfoHash, honestPeerId))
        await sleep(2_000)
      }
    })()

    let peakRssSampled = 0
    const sampler = (async () => {
      while (running()) {
        peakRssSampled = Math.max(peakRssSampled, await peakRss(relay.child.pid ?? 0))
        log(
          `t=${Math.round((opts.durationMs - (ends - Date.now())) / 1000)}s gossip ` +
            `accepted ${last?.gossipAccepted ?? 0} dropped ${last?.gossipDropped ?? 0} shed ${last?.gossipShed ?? 0} ` +
            `graylisted ${last?.graylisted ?? 0} conns ${last?.connections ?? 0} paused ${last?.readsPaused ?? 0}; announces accepted ${last?.announcesAccepted ?? 0} ` +
            `refused ${last?.announcesDropped ?? 0}; honest ${delays.length}/${honestSent}; ` +
            `relay rss ${((last?.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MiB, loop delay p99 ` +
            `${(last?.loopDelayP99Ms ?? 0).toFixed(0)} ms max ${(last?.loopDelayMaxMs ?? 0).toFixed(0)} ms`,
        )
        await sleep(5_000)
      }
    })()
    const done = await Promise.all(floods.map((f) => f.done))
    const atFloodEnd = last
    await Promise.all([honestLoop, honestTrackerLoop, sampler])
    const gossipSent = done.reduce((a, d) => a + d.gossipSent, 0)
    const announcesSent = done.reduce((a, d) => a + d.announcesSent, 0)
    const sum = (k: keyof FloodDone) => done.reduce((a, d) => a + d[k], 0)
    const aborted = sum('aborted')
    // Stragglers: honest cards already on their way get a few seconds to land.
    for (let i = 0; i < 50 && sentAt.size > 0; i++) await sleep(100)
    await sleep(1_000) // one more stats line
    const final = last
    const peak = Math.max(peakRssSampled, await peakRss(relay.child.pid ?? 0))
    delays.sort((a, b) => a - b)
    return {
      fakes: fakeCount,
      durationS: opts.durationMs / 1000,
      gossip: {
        sent: gossipSent,
        accepted: final?.gossipAccepted ?? 0,
        dropped: final?.gossipDropped ?? 0,
        shed: final?.gossipShed ?? 0,
        ignoredOrLost: Math.max(
          0,
          gossipSent -
            (final?.gossipAccepted ?? 0) -
            (final?.gossipDropped ?? 0) -
            (final?.gossipShed ?? 0),
        ),
        fakesCutOff: aborted,
        redials: sum('dials'),
        redialsRefused: sum('dialsRefused'),
      },
      announces: {
        sent: announcesSent,
        accepted: final?.announcesAccepted ?? 0,
        refused: final?.announcesDropped ?? 0,
        socketsClosed: final?.trackerSocketsClosed ?? 0,
        reopens: sum('reopens'),
        reopensRefused: sum('reopensRefused'),
      },
      honest: {
        sent: honestSent,
        delivered: delays.length,
        deliveredInTime: delays.filter((d) => d <= HONEST_DEADLINE_MS).length,
        medianMs: delays[Math.floor(delays.length / 2)] ?? 0,
        maxMs: delays[delays.length - 1] ?? 0,
        announcesOk: honestAnnouncesOk,
        announcesRefused: honestAnnouncesRefused,
        redials: honestRedials,
      },
      relay: {
        peakRssBytes: peak,
        ceilingBytes: RSS_CEILING_BYTES,
        peakGraylisted,
        loopDelayP99Ms: Math.round(atFloodEnd?.loopDelayP99Ms ?? 0),
        loopDelayMaxMs: Math.round(atFloodEnd?.loopDelayMaxMs ?? 0),
        connectionsRefused: final?.connectionsRefused ?? 0,
        readsPaused: final?.readsPaused ?? 0,
        trackerSocketsRefused: final?.trackerSocketsRefused ?? 0,
      },
    }
  } finally {
    await Promise.allSettled(stops.map(async (s) => s()))
    await relay.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
