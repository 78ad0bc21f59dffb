import { createHmac } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { createServer } from 'turn-server'
import type { TurnInfo } from '../src/shared/config.ts'
import { logger } from './log.ts'

const log = logger('turn')

/** How long the credentials handed out with one `/config.json` stay valid. */
export const TURN_CREDENTIAL_TTL_S = 24 * 60 * 60

export type TurnRelay = {
  /** `turn:<host>:<port>?transport=udp`. */
  url: string
  port: number
  /**
   * Fresh time-limited credentials (TURN REST API style), one set per call, with their
   * lifetime: the node asks again before they expire.
   */
  credentials(now?: number): TurnInfo
  stop(): Promise<void>
}

/**
 * Time-limited TURN credentials (the "TURN REST API" scheme coturn and turn-server share): the
 * user name is the expiry in Unix seconds, the password the base64 HMAC-SHA1 of the user name
 * under the server's secret. The secret never leaves the relay; a leaked pair expires.
 * @example restCredentials(secret, Date.now()) // { username: '1765000000:hashcard', credential: '…' }
 */
export function restCredentials(
  secret: string,
  now: number,
  ttlSeconds = TURN_CREDENTIAL_TTL_S,
): { username: string; credential: string } {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:hashcard`
  const credential = createHmac('sha1', secret).update(username).digest('base64')
  return { username, credential }
}

const isLoopback = (host: string) =>
  host.startsWith('127.') || host === '::1' || host === 'localhost'

/**
 * The relay's TURN server (RFC 8656, over UDP), for privacy mode: a tab that hides its address
 * sends its WebRTC traffic through a relayed candidate here, so peers see only this server's
 * address. Long-term credentials, time-limited (see {@link restCredentials}); relayed ports are allocated on
 * `host`. On a loopback host (development and tests) peers are loopback addresses too, which
 * turn-server blocks by default (CVE-2020-26262): only there they are allowed.
 *
 * The UDP socket is bound here (port 0 picks a free one) and fed to turn-server in its
 * external-socket mode, because its own listener treats port 0 as "the default, 3478".
 */
export async function startTurn(opts: {
  host: string
  port: number
  /** The credentials' shared secret (kept in the relay's data dir: key.ts). */
  secret: string
}): Promise<TurnRelay> {
  const { secret } = opts
  const socket = createSocket('udp4')
  socket.bind({ address: opts.host, port: opts.port, exclusive: true })
  await Promise.race([
    once(socket, 'listening'),
    once(socket, 'error').then(([err]) => Promise.reject(err as Error)),
  ])
  const server = createServer({
    socket,
    auth: { mechanism: 'long-term', realm: 'hashcard', secret },
    relay: { ip: opts.host },
    allowLoopback: isLoopback(opts.host),
    // Bounds what one relay spends: allocations per user name and in all, and idle clients.
    userQuota: 64,
    totalQuota: 2048,
    idleTimeout: 120_000,
  })
  server.on('error', (err: Error) => log.warn('error: %s', err.message))
  socket.on('message', (msg, rinfo) => {
    try {
      server.handlePacket(msg, rinfo)
    } catch (err) {
      log.warn('dropped a bad packet from %s: %s', rinfo.address, (err as Error).message)
    }
  })
  socket.on('error', (err) => log.warn('socket error: %s', err.message))
  const port = socket.address().port
  const url = `turn:${opts.host}:${port}?transport=udp`
  log('listening on %s', url)
  return {
    url,
    port,
    credentials: (now = Date.now()) => ({
      urls: [url],
      ...restCredentials(secret, now),
      ttlSeconds: TURN_CREDENTIAL_TTL_S,
    }),
    stop: async () => {
      await new Promise<void>((resolve) => server.stop(() => resolve()))
      await new Promise<void>((resolve) => socket.close(() => resolve())).catch(() => {})
    },
  }
}
