/**
 * `npm run load -- relay [--fakes N] [--seconds S] [--hosts H] [--cpu-prof DIR]`: the relay's load test
 * (issue #20): 200 fake peers and 200 fake tracker clients flood the relay for 60 s by
 * default while two honest peers exchange cards. Prints the numbers and exits non-zero when
 * the relay went over its memory ceiling or the honest cards did not get through.
 */
import { parseArgs } from 'node:util'
import { runRelayLoad } from './relay.ts'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    fakes: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    hosts: { type: 'string', default: '20' },
    'cpu-prof': { type: 'string' },
  },
})
const scenario = positionals[0] ?? 'relay'
if (scenario !== 'relay') throw new Error(`no such load test: ${scenario} (try: relay)`)
const num = (name: string, v: string) => {
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name}: expected a positive integer`)
  return n
}
const r = await runRelayLoad({
  fakes: num('fakes', values.fakes),
  durationMs: num('seconds', values.seconds) * 1000,
  hosts: num('hosts', values.hosts),
  ...(values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {}),
  log: (line) => console.log(line),
})
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`
console.log(JSON.stringify(r, null, 2))
console.log(`
  ${r.fakes} fake peers, ${r.durationS} s
  gossip      sent ${r.gossip.sent}, accepted ${r.gossip.accepted}, dropped by the limits ${r.gossip.dropped}, shed by the total budget ${r.gossip.shed}, not processed (graylisted, held back or cut off) ${r.gossip.ignoredOrLost}; fakes redialled ${r.gossip.redials} times (${r.gossip.redialsRefused} failed), ${r.gossip.fakesCutOff} cut off at the end
  announces   sent ${r.announces.sent}, accepted ${r.announces.accepted}, refused ${r.announces.refused}; ${r.announces.socketsClosed} flooding sockets closed, ${r.announces.reopens} reopened (${r.announces.reopensRefused} failed)
  honest      ${r.honest.delivered}/${r.honest.sent} cards delivered, ${r.honest.deliveredInTime} within 5 s (median ${r.honest.medianMs} ms, worst ${r.honest.maxMs} ms); announces ${r.honest.announcesOk} ok, ${r.honest.announcesRefused} refused; ${r.honest.redials} redials
  relay       peak RSS ${mib(r.relay.peakRssBytes)} (ceiling ${mib(r.relay.ceilingBytes)}), peak graylisted peers ${r.relay.peakGraylisted}, event-loop delay p99 ${r.relay.loopDelayP99Ms} ms (worst ${r.relay.loopDelayMaxMs} ms); connections refused ${r.relay.connectionsRefused}, reads paused ${r.relay.readsPaused}
`)
const ok =
  r.relay.peakRssBytes < r.relay.ceilingBytes &&
  r.honest.delivered >= 0.9 * r.honest.sent &&
  r.honest.announcesRefused === 0
if (!ok) {
  console.error('FAILED: over the memory ceiling, or honest traffic did not get through')
  process.exit(1)
}
process.exit(0)
