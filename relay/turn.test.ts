import { createHmac } from 'node:crypto'
import { connect, type Socket as TurnSocket } from 'turn-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { restCredentials, startTurn, TURN_CREDENTIAL_TTL_S, type TurnRelay } from './turn.ts'

const secret = 'a-test-secret-of-at-least-32-characters'
let turn: TurnRelay

beforeAll(async () => {
  turn = await startTurn({ host: '127.0.0.1', port: 0, secret })
})
afterAll(() => turn?.stop())

/** Asks the server for a relayed address with these credentials, as a browser's ICE agent does. */
function allocate(username: string, password: string): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), 10_000)
    connect(turn.url, { username, password }, (err, socket) => {
      if (err) {
        clearTimeout(timer)
        resolve(`error: ${err.message}`)
        return
      }
      const done = (result: string) => {
        clearTimeout(timer)
        socket.close()
        resolve(result)
      }
      socket.on('allocate:success', (msg) => {
        const relayed = msg.getAttribute(0x0016) as { ip: string; port: number }
        done(`relay ${relayed.ip}:${relayed.port}`)
      })
      socket.on('allocate:error', () => done('refused'))
      socket.allocate({ lifetime: 60 })
    })
  })
}

describe('the relay TURN server', () => {
  it('issues REST-style credentials: expiry:user, HMAC-SHA1 of it under the secret', () => {
    const now = 1_765_000_000_000
    const c = restCredentials(secret, now)
    expect(c.username).toBe(`${1_765_000_000 + TURN_CREDENTIAL_TTL_S}:hashcard`)
    expect(c.credential).toBe(createHmac('sha1', secret).update(c.username).digest('base64'))
    expect(turn.credentials(now)).toEqual({
      urls: [turn.url],
      ...c,
      ttlSeconds: TURN_CREDENTIAL_TTL_S,
    })
    expect(turn.url).toBe(`turn:127.0.0.1:${turn.port}?transport=udp`)
    expect(turn.port).toBeGreaterThan(0)
  })

  it('allocates a relayed address on its host for the credentials it issued', async () => {
    const c = turn.credentials()
    expect(await allocate(c.username, c.credential)).toMatch(/^relay 127\.0\.0\.1:\d+$/)
  })

  it('refuses a wrong password and expired credentials', async () => {
    const c = turn.credentials()
    expect(await allocate(c.username, 'not-the-password')).not.toMatch(/^relay/)
    const old = turn.credentials(Date.now() - 2 * TURN_CREDENTIAL_TTL_S * 1000)
    expect(await allocate(old.username, old.credential)).not.toMatch(/^relay/)
    const other = restCredentials('another-secret-of-at-least-32-chars!!', Date.now())
    expect(await allocate(other.username, other.credential)).not.toMatch(/^relay/)
  })

  it('refuses credentials once they expire, and will not extend an allocation made with them', async () => {
    // Valid for 2 s: the server reads the expiry from the user name at every request.
    const c = restCredentials(secret, Date.now(), 2)
    const expiry = Number(c.username.split(':')[0]) * 1000
    const socket = await new Promise<TurnSocket>((resolve, reject) =>
      connect(turn.url, { username: c.username, password: c.credential }, (err, s) =>
        err ? reject(err) : resolve(s),
      ),
    )
    try {
      // The socket's answers (it has `on` only): each goes to the request awaiting it.
      let settle: ((outcome: string) => void) | undefined
      for (const event of ['allocate', 'refresh'])
        for (const outcome of ['success', 'error'])
          socket.on(`${event}:${outcome}`, () => settle?.(`${event} ${outcome}`))
      const answer = (event: string, send: () => void) =>
        new Promise<string>((resolve) => {
          const timer = setTimeout(() => resolve('timeout'), 10_000)
          settle = (outcome) => {
            clearTimeout(timer)
            resolve(outcome.replace(`${event} `, ''))
          }
          send()
        })
      expect(await answer('allocate', () => socket.allocate({ lifetime: 60 }))).toBe('success')
      expect(await answer('refresh', () => socket.refresh())).toBe('success')
      // Past the expiry's second: the same pair no longer refreshes, nor allocates anew.
      await new Promise((r) => setTimeout(r, expiry + 1100 - Date.now()))
      expect(await answer('refresh', () => socket.refresh())).toBe('error')
      expect(await allocate(c.username, c.credential)).toBe('refused')
      const fresh = turn.credentials()
      expect(await allocate(fresh.username, fresh.credential)).toMatch(/^relay /)
    } finally {
      socket.close()
    }
  })
})
