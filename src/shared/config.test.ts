import { describe, expect, it } from 'vitest'
import { parseAppConfig } from './config.ts'

const base = {
  v: 1,
  chain: null,
  relay: {
    peerId: '12D3KooWRelay',
    multiaddrs: ['/ip4/127.0.0.1/tcp/8081/ws/p2p/12D3KooWRelay'],
    tracker: 'ws://127.0.0.1:8082',
  },
  dev: true,
}
const turn = {
  urls: ['turn:127.0.0.1:3478?transport=udp'],
  username: '1:hashcard',
  credential: 'x',
}
const withTurn = (t: unknown) => ({ ...base, relay: { ...base.relay, turn: t } })

describe('config.json', () => {
  it('takes a relay with or without a TURN server', () => {
    expect(parseAppConfig(base).relay.turn).toBeUndefined()
    expect(parseAppConfig(withTurn(turn)).relay.turn).toEqual(turn)
    const tls = { ...turn, urls: ['turns:relay.example:5349?transport=tcp'] }
    expect(parseAppConfig(withTurn(tls)).relay.turn).toEqual(tls)
    const timed = { ...turn, ttlSeconds: 86_400 }
    expect(parseAppConfig(withTurn(timed)).relay.turn).toEqual(timed)
  })

  it('names the malformed TURN field', () => {
    const bad: [unknown, string][] = [
      [null, 'relay.turn.urls'],
      [{ ...turn, urls: [] }, 'relay.turn.urls'],
      [{ ...turn, urls: 'turn:127.0.0.1:3478' }, 'relay.turn.urls'],
      [{ ...turn, urls: ['stun:127.0.0.1:3478'] }, 'relay.turn.urls'],
      [{ ...turn, username: 7 }, 'relay.turn.username'],
      [{ urls: turn.urls, username: turn.username }, 'relay.turn.credential'],
      [{ ...turn, ttlSeconds: 0 }, 'relay.turn.ttlSeconds'],
      [{ ...turn, ttlSeconds: '86400' }, 'relay.turn.ttlSeconds'],
    ]
    for (const [t, field] of bad)
      expect(() => parseAppConfig(withTurn(t)), JSON.stringify(t)).toThrow(`"${field}"`)
  })
})
