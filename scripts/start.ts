/**
 * `npm start`: the local Hashcard network on this machine — anvil with the contracts, the
 * relay (libp2p + tracker) and the built app — then prints the one URL to open.
 * Ctrl-C stops every child.
 *
 * Options (flag or environment variable, defaults in brackets):
 *   --port HASHCARD_PORT [8080]            the app and /config.json
 *   --p2p-port HASHCARD_P2P_PORT [8081]    the relay's libp2p websockets
 *   --tracker-port HASHCARD_TRACKER_PORT [8082]
 *   --turn-port HASHCARD_TURN_PORT [3478]  the relay's TURN server (UDP), for privacy mode
 *   --rpc-port HASHCARD_RPC_PORT [8545]    anvil
 *   --data-dir HASHCARD_DATA_DIR [.data]   chain state, relay key, generated config
 *   --block-time HASHCARD_BLOCK_TIME [1]   seconds per block (0: mine on each transaction)
 *   --host HASHCARD_HOST [127.0.0.1]
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ensureAppBuilt } from './build-app.ts'
import { startStack } from './stack.ts'

const env = process.env
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: env.HASHCARD_PORT ?? '8080' },
    'p2p-port': { type: 'string', default: env.HASHCARD_P2P_PORT ?? '8081' },
    'tracker-port': { type: 'string', default: env.HASHCARD_TRACKER_PORT ?? '8082' },
    'turn-port': { type: 'string', default: env.HASHCARD_TURN_PORT ?? '3478' },
    'rpc-port': { type: 'string', default: env.HASHCARD_RPC_PORT ?? '8545' },
    'data-dir': { type: 'string', default: env.HASHCARD_DATA_DIR ?? '.data' },
    'block-time': { type: 'string', default: env.HASHCARD_BLOCK_TIME ?? '1' },
    host: { type: 'string', default: env.HASHCARD_HOST ?? '127.0.0.1' },
  },
})

const appDir = await ensureAppBuilt()
const stack = await startStack({
  dataDir: resolve(values['data-dir']),
  appDir,
  host: values.host,
  ports: {
    http: Number(values.port),
    p2p: Number(values['p2p-port']),
    tracker: Number(values['tracker-port']),
    turn: Number(values['turn-port']),
    rpc: Number(values['rpc-port']),
  },
  blockTime: Number(values['block-time']),
  persistChain: true,
})

console.log(`
  Hashcard is running.

    chain    ${stack.rpcUrl} (chain id ${stack.chain.chainId})
    relay    ${stack.relay.multiaddrs[0]}
    tracker  ${stack.relay.tracker}
    turn     ${stack.relay.turn} (privacy mode)

  Open ${stack.url.replace('//localhost:', '//hashcard.localhost:')}
  (packaged sites need the app on a host name: each runs at <card>.hashcard.localhost;
  ${stack.url} works for everything else)

  Press Ctrl-C to stop.
`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    console.log('\nstopping…')
    stack.stop().finally(() => process.exit(0))
  })
}
