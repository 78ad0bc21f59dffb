/**
 * One flooding process of the relay's load test (load/relay.ts forks it): `fakes` libp2p
 * peers publish gossip and `fakes` tracker clients announce random torrents, as fast as this
 * process can, until `seconds` have passed. A fake the relay cuts off dials again after a
 * short back-off, with a new identity (its old peer id is graylisted), and a tracker client
 * whose socket the relay closed opens a new one: the flood lasts the whole run, as a hostile
 * client's would. Prints `{"event":"ready"}` once connected, then `{"event":"done",...}` with
 * what was sent and how many dials and reconnects were made and refused.
 *
 * argv: <relay multiaddr> <tracker url> <fakes> <hosts> <seconds> <first host>
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import type { WebSocket } from 'ws'
import { TOPICS } from '../src/shared/topics.ts'
import {
  announce,
  binaryId,
  createLoadPeer,
  type LoadPeer,
  spreadOverHosts,
  trackerClient,
} from './peers.ts'

const [addr, tracker, fakesArg, hostsArg, secondsArg, firstHostArg] = process.argv.slice(2)
if (!addr || !tracker)
  throw new Error('usage: flood.ts <multiaddr> <tracker> <fakes> <hosts> <seconds> <first host>')
const n = Number(fakesArg)
const hosts = Number(hostsArg)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const say = (msg: object) => process.stdout.write(`${JSON.stringify(msg)}\n`)

spreadOverHosts(hosts, Number(firstHostArg))
const fakes: LoadPeer[] = []
for (let i = 0; i < n; i += 10) {
  const batch = Math.min(10, n - i)
  const made = await Promise.allSettled(
    Array.from({ length: batch }, () => createLoadPeer(addr, [])),
  )
  for (const m of made) if (m.status === 'fulfilled') fakes.push(m.value)
  // libp2p admits at most 5 new connections per second from one host.
  await sleep(Math.ceil((batch / hosts / 4) * 1000))
}
const trackers = (
  await Promise.allSettled(Array.from({ length: n }, () => trackerClient(tracker)))
).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
say({ event: 'ready', fakes: fakes.length, trackers: trackers.length })
await once(process.stdin, 'data') // the go signal
const ends = Date.now() + Number(secondsArg) * 1000
const running = () => Date.now() < ends

// After a cut-off, a flooder waits 0.5 s, then twice as long after each refused attempt, up to
// 4 s: a hostile client comes back at once but does not spin.
const backOff = (failures: number) => Math.min(4_000, 500 * 2 ** failures)
const connected = (f: LoadPeer) =>
  f
    .getConnections()
    .some((c) =>
      c.streams.some((st) => st.direction === 'outbound' && /meshsub/.test(st.protocol ?? '')),
    )

// Each fake publishes 1–4 KiB messages 40 at a time, as fast as it can sign them (more at
// once overflows its own stream's write buffer, which then aborts); each tracker client sends
// announces 250 at a time.
let gossipSent = 0
let dials = 0
let dialsRefused = 0
const stopping: Array<Promise<unknown>> = []
const floods = fakes.map(async (first) => {
  let f: LoadPeer | undefined = first
  let failures = 0
  while (running()) {
    if (f && f.getConnections().length === 0) {
      stopping.push(Promise.resolve(f.stop()).catch(() => {}))
      f = undefined
      await sleep(backOff(0))
    }
    if (!f) {
      dials++
      try {
        f = await createLoadPeer(addr, [])
        failures = 0
      } catch {
        dialsRefused++
        await sleep(backOff(++failures))
      }
      continue
    }
    const peer = f
    await Promise.all(
      Array.from({ length: 40 }, () => {
        gossipSent++
        const data = randomBytes(1024 + Math.floor(Math.random() * 3072))
        return peer.services.pubsub.publish(TOPICS.cards, data).catch(() => {})
      }),
    )
    await new Promise((r) => setImmediate(r))
  }
  return f
})
let announcesSent = 0
let reopens = 0
let reopensRefused = 0
const live = new Set(trackers)
const announceFloods = trackers.map(async (first) => {
  let t: WebSocket | undefined = first
  let failures = 0
  const peerId = binaryId()
  while (running()) {
    if (!t || t.readyState !== t.OPEN) {
      if (t) live.delete(t)
      t = undefined
      await sleep(backOff(failures))
      if (!running()) break
      reopens++
      try {
        t = await trackerClient(tracker)
        live.add(t)
        failures = 0
      } catch {
        reopensRefused++
        failures++
      }
      continue
    }
    // 250 at once: more than a client's burst of announces, at any speed of this machine.
    for (let i = 0; i < 250 && t.bufferedAmount < 256 * 1024; i++) {
      t.send(announce(binaryId(), peerId))
      announcesSent++
    }
    await sleep(50)
  }
})
const [last] = await Promise.all([Promise.all(floods), Promise.all(announceFloods)])
// A fake with no gossip stream to the relay at the end was cut off and not yet back.
const atEnd = last.filter((f): f is LoadPeer => f !== undefined)
const aborted = fakes.length - atEnd.filter(connected).length
say({
  event: 'done',
  gossipSent,
  announcesSent,
  fakes: fakes.length,
  trackers: trackers.length,
  aborted,
  dials,
  dialsRefused,
  reopens,
  reopensRefused,
})
for (const t of live) t.terminate()
await Promise.allSettled([...stopping, ...atEnd.map((f) => f.stop())])
process.exit(0)
