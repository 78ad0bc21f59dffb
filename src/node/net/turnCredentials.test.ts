import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { TurnInfo } from '../../shared/config.ts'
import { followPrivacy } from '../swarm/privacy.ts'
import { webRTCInit } from './libp2p.ts'
import { fixedPrivacy } from './privacy.ts'
import {
  fetchRelayTurn,
  lifetimeMs,
  refreshTurn,
  TURN_CHECK_MAX_MS,
  TURN_REFRESH_AT,
} from './turnCredentials.ts'

const DAY_S = 24 * 60 * 60
const HOUR = 60 * 60_000
const urls = ['turn:127.0.0.1:3478?transport=udp']

/** What the relay hands out at `now` (relay/turn.ts): the user name carries the expiry. */
const issued = (now: number, n: number): TurnInfo => ({
  urls,
  username: `${Math.floor(now / 1000) + DAY_S}:hashcard`,
  credential: `secret-${n}`,
  ttlSeconds: DAY_S,
})

/** A relay's `/config.json` whose answers the test scripts: credentials, or a failure. */
function relay() {
  const answers: (() => TurnInfo)[] = []
  let calls = 0
  let issuedN = 0
  return {
    get calls() {
      return calls
    },
    fail(times: number) {
      for (let i = 0; i < times; i++)
        answers.push(() => {
          throw new Error('relay unreachable')
        })
    },
    fetchTurn: async () => {
      calls++
      const next = answers.shift()
      return next ? next() : issued(Date.now(), ++issuedN)
    },
  }
}

const iceServerOf = (c: RTCConfiguration) => c.iceServers?.[0] as RTCIceServer

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 6) })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('TURN credentials, kept fresh', () => {
  it('fetches new credentials at 80 % of their lifetime, not before, and tells the listeners', async () => {
    const r = relay()
    const turn = refreshTurn({ initial: issued(Date.now(), 0), fetchTurn: r.fetchTurn })
    const seen: string[] = []
    turn.onChange((t) => seen.push(t.credential))
    const due = DAY_S * 1000 * TURN_REFRESH_AT
    await vi.advanceTimersByTimeAsync(due - 1)
    expect(r.calls).toBe(0)
    expect(turn.current()?.credential).toBe('secret-0')
    await vi.advanceTimersByTimeAsync(1)
    expect(r.calls).toBe(1)
    expect(seen).toEqual(['secret-1'])
    expect(turn.current()?.credential).toBe('secret-1')
    // The fresh set is good for a day from now; the next refresh is 80 % of that later.
    await vi.advanceTimersByTimeAsync(due)
    expect(seen).toEqual(['secret-1', 'secret-2'])
    turn.stop()
    await vi.advanceTimersByTimeAsync(2 * DAY_S * 1000)
    expect(r.calls).toBe(2)
  })

  it('retries a failed refresh with growing waits, and succeeds before the old set expires', async () => {
    const r = relay()
    const start = Date.now()
    const turn = refreshTurn({
      initial: issued(start, 0),
      fetchTurn: r.fetchTurn,
      random: () => 0,
    })
    r.fail(3)
    await vi.advanceTimersByTimeAsync(DAY_S * 1000 * TURN_REFRESH_AT)
    expect(r.calls).toBe(1)
    // 5 s, then 10 s, then 20 s: the fourth try succeeds.
    await vi.advanceTimersByTimeAsync(5_000)
    expect(r.calls).toBe(2)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(r.calls).toBe(3)
    expect(turn.current()?.credential).toBe('secret-0')
    await vi.advanceTimersByTimeAsync(20_000)
    expect(r.calls).toBe(4)
    expect(turn.current()?.credential).toBe('secret-1')
    expect(Date.now()).toBeLessThan(start + DAY_S * 1000)
    // Back to the normal rhythm: nothing until 80 % of the new set's day.
    await vi.advanceTimersByTimeAsync(DAY_S * 1000 * TURN_REFRESH_AT - 1)
    expect(r.calls).toBe(4)
    turn.stop()
  })

  it('takes the same credentials back as a failure (a cached config) and asks again', async () => {
    const initial = issued(Date.now(), 0)
    let calls = 0
    const turn = refreshTurn({
      initial,
      fetchTurn: async () => (++calls === 1 ? { ...initial } : issued(Date.now(), 9)),
      random: () => 0,
    })
    await vi.advanceTimersByTimeAsync(DAY_S * 1000 * TURN_REFRESH_AT)
    expect(calls).toBe(1)
    expect(turn.current()).toEqual(initial)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(turn.current()?.credential).toBe('secret-9')
    turn.stop()
  })

  it('catches up within minutes when the clock jumps (a machine waking from sleep)', async () => {
    const r = relay()
    const turn = refreshTurn({ initial: issued(Date.now(), 0), fetchTurn: r.fetchTurn })
    // The timers slept through 23 hours: the wall clock moved, no timer fired.
    vi.setSystemTime(Date.now() + 23 * HOUR)
    await vi.advanceTimersByTimeAsync(TURN_CHECK_MAX_MS)
    expect(r.calls).toBe(1)
    expect(turn.current()?.credential).toBe('secret-1')
    turn.stop()
  })

  it('reads the lifetime from ttlSeconds, else from the user name; none for static credentials', () => {
    const now = Date.now()
    expect(lifetimeMs(issued(now, 0), now + HOUR)).toBe(DAY_S * 1000)
    const { ttlSeconds: _, ...noTtl } = issued(now, 0)
    expect(lifetimeMs(noTtl, now + HOUR)).toBe(DAY_S * 1000 - HOUR)
    expect(lifetimeMs(noTtl, now + 2 * DAY_S * 1000)).toBe(0)
    expect(lifetimeMs({ urls, username: 'alice', credential: 'pw' }, now)).toBeUndefined()
  })

  it('hands the fresh credentials to the next webtorrent and libp2p connection', async () => {
    const r = relay()
    const turn = refreshTurn({ initial: issued(Date.now(), 0), fetchTurn: r.fetchTurn })
    // webtorrent: bittorrent-tracker reads this one object for each new simple-peer.
    const swarm = followPrivacy(fixedPrivacy(true), turn, () => [])
    const held = swarm.rtcConfig
    // libp2p: @libp2p/webrtc calls this for each connection it dials or accepts.
    const libp2p = webRTCInit({ privacy: true, turn: () => turn.current() }).rtcConfiguration
    expect(libp2p).toBeTypeOf('function')
    expect(iceServerOf(held).credential).toBe('secret-0')
    expect(iceServerOf(libp2p?.() ?? {}).credential).toBe('secret-0')

    await vi.advanceTimersByTimeAsync(DAY_S * 1000 * TURN_REFRESH_AT)
    const fresh = turn.current()
    expect(fresh?.credential).toBe('secret-1')
    for (const config of [held, libp2p?.() ?? {}]) {
      expect(config.iceTransportPolicy).toBe('relay')
      expect(iceServerOf(config)).toEqual({
        urls,
        username: fresh?.username,
        credential: 'secret-1',
      })
    }
    // Without privacy, libp2p keeps its defaults; the swarm's STUN entry needs no credentials.
    expect(webRTCInit({ privacy: false, turn: () => turn.current() })).toEqual({})
    swarm.stop()
    turn.stop()
  })
})

describe("fetching the relay's credentials", () => {
  const config = (turn?: TurnInfo) => ({
    v: 1,
    chain: null,
    relay: { peerId: 'p', multiaddrs: [], tracker: 'ws://127.0.0.1:1', turn },
    dev: true,
  })
  const answer = (body: unknown, init?: ResponseInit) => async () =>
    new Response(JSON.stringify(body), init)

  it("reads relay.turn from /config.json; refuses the Service Worker's offline copy and errors", async () => {
    const t = issued(Date.now(), 1)
    expect(await fetchRelayTurn(answer(config(t)))).toEqual(t)
    expect(await fetchRelayTurn(answer(config()))).toBeUndefined()
    await expect(
      fetchRelayTurn(answer(config(t), { headers: { 'x-hashcard-offline': '1' } })),
    ).rejects.toThrow('offline')
    await expect(fetchRelayTurn(answer({}, { status: 502 }))).rejects.toThrow('HTTP 502')
    await expect(fetchRelayTurn(answer({ v: 2 }))).rejects.toThrow('"v"')
  })
})
