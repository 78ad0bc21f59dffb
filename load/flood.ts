/**
 * One flooding process of the relay's load test (load/relay.ts forks it): `fakes` libp2p
 * peers publish gossip and `fakes` tracker clients announce random torrents, as fast as this
 * process can, until `seconds` have passed. Prints `{"event":"ready"}` once connected, then
 * `{"event":"done","gossipSent":…,"announcesSent":…,"fakes":…,"trackers":…,"aborted":…}`.
 *
 * argv: <relay multiaddr> <tracker url> <fakes> <hosts> <seconds> <first host>
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
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

// Each fake publishes 1–4 KiB messages 40 at a time, as fast as it can sign them (more at
// once overflows its own stream's write buffer, which then aborts); each tracker client sends
// announces 250 at a time.
let gossipSent = 0
const floods = fakes.map(async (f) => {
  while (running()) {
    await Promise.all(
      Array.from({ length: 40 }, () => {
        gossipSent++
        const data = randomBytes(1024 + Math.floor(Math.random() * 3072))
        return f.services.pubsub.publish(TOPICS.cards, data).catch(() => {})
      }),
    )
    await new Promise((r) => setImmediate(r))
  }
})
let announcesSent = 0
const announceFloods = trackers.map(async (t) => {
  const peerId = binaryId()
  while (running() && t.readyState === t.OPEN) {
    // 250 at once: more than a client's burst of announces, at any speed of this machine.
    for (let i = 0; i < 250 && t.bufferedAmount < 256 * 1024; i++) {
      t.send(announce(binaryId(), peerId))
      announcesSent++
    }
    await sleep(50)
  }
})
await Promise.all([...floods, ...announceFloods])
// A fake with no gossip stream to the relay at the end was cut off: its connection closed
// (the relay's connection monitor, or a stream error) while the relay was busy.
const aborted = fakes.filter(
  (f) =>
    !f
      .getConnections()
      .some((c) =>
        c.streams.some((st) => st.direction === 'outbound' && /meshsub/.test(st.protocol ?? '')),
      ),
).length
say({
  event: 'done',
  gossipSent,
  announcesSent,
  fakes: fakes.length,
  trackers: trackers.length,
  aborted,
})
for (const t of trackers) t.terminate()
await Promise.allSettled(fakes.map((f) => f.stop()))
process.exit(0)
