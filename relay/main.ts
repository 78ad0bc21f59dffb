/**
 * The relay as a process: `node --import ./scripts/register.mjs relay/main.ts [options]`.
 * Prints one JSON line `{"event":"ready",...}` on stdout when listening, for the start script
 * and the test fixtures; logs go to stderr. SIGINT/SIGTERM stop it cleanly.
 *
 * Options (flags or env): --host (RELAY_HOST), --http-port (RELAY_HTTP_PORT),
 * --p2p-port (RELAY_P2P_PORT), --tracker-port (RELAY_TRACKER_PORT), --turn-port (RELAY_TURN_PORT,
 * UDP), --data-dir,
 * --app-dir, --chain-config, --stats-ms (RELAY_STATS_MS: print a `{"event":"stats",...}` line
 * with the limits' counters, the process's memory and its event-loop delay this often; 0, the
 * default, never). SIGUSR2 starts the event-loop delay figures afresh.
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { logger } from './log.ts'
import { startRelay } from './relay.ts'

const log = logger('main')

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.RELAY_HOST ?? '127.0.0.1' },
    'http-port': { type: 'string', default: process.env.RELAY_HTTP_PORT ?? '0' },
    'p2p-port': { type: 'string', default: process.env.RELAY_P2P_PORT ?? '0' },
    'tracker-port': { type: 'string', default: process.env.RELAY_TRACKER_PORT ?? '0' },
    'turn-port': { type: 'string', default: process.env.RELAY_TURN_PORT ?? '0' },
    'data-dir': { type: 'string', default: '.data/relay' },
    'app-dir': { type: 'string', default: 'dist' },
    'chain-config': { type: 'string' },
    'stats-ms': { type: 'string', default: process.env.RELAY_STATS_MS ?? '0' },
  },
})

// The relay must outlive any single bad input. Libraries report most of it as events (logged
// and dropped); this is the last line, for a throw from a callback no library caught.
process.on('uncaughtException', (err) => log.warn('uncaught: %s', err.stack ?? err.message))
process.on('unhandledRejection', (err) => log.warn('unhandled rejection: %s', String(err)))

const relay = await startRelay({
  host: values.host,
  httpPort: Number(values['http-port']),
  p2pPort: Number(values['p2p-port']),
  trackerPort: Number(values['tracker-port']),
  turnPort: Number(values['turn-port']),
  dataDir: resolve(values['data-dir']),
  appDir: resolve(values['app-dir']),
  chainConfigFile: values['chain-config'] ? resolve(values['chain-config']) : undefined,
})

process.stdout.write(`${JSON.stringify({ event: 'ready', ...relay, stop: undefined })}\n`)

const statsMs = Number(values['stats-ms'])
const statsTimer =
  statsMs > 0
    ? setInterval(
        () => process.stdout.write(`${JSON.stringify({ event: 'stats', ...relay.stats() })}\n`),
        statsMs,
      )
    : undefined

process.on('SIGUSR2', () => relay.resetLoopDelay())

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    clearInterval(statsTimer)
    relay.stop().finally(() => process.exit(0))
  })
}
