import Server from 'bittorrent-tracker/server'
import { logger } from './log.ts'

const log = logger('tracker')

export type Tracker = { url: string; port: number; stop(): Promise<void> }

/**
 * A WebSocket BitTorrent tracker (BEP 15 over WebSocket, as WebTorrent speaks it) for WebRTC
 * signalling between tabs. Only the ws server: no UDP, no HTTP, no stats page. Malformed
 * messages are reported by the library as warnings, which are logged and dropped.
 */
export async function startTracker(opts: { host: string; port: number }): Promise<Tracker> {
  const server = new Server({
    udp: false,
    http: false,
    // An announce or offer is a few KiB; anything far larger is hostile and dropped by ws.
    ws: { maxPayload: 256 * 1024 },
    stats: false,
    trustProxy: false,
  })
  server.on('warning', (err: Error) => log.warn('dropped bad input: %s', err.message))
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
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
