/**
 * The relay's TURN credentials, kept fresh (issue #20, privacy mode). `/config.json` hands out
 * REST-style credentials (relay/turn.ts) valid for `ttlSeconds` (a day); the TURN server
 * refuses them after that, so a tab open longer could open no new relayed connection. The
 * refresher fetches `/config.json` again at 80 % of their lifetime, retries with back-off on a
 * failure, and tells its listeners; the swarm and libp2p build each new peer connection from
 * {@link TurnSource.current}. A connection made earlier keeps the credentials it was made with.
 */
import { parseAppConfig, type TurnInfo } from '../../shared/config.ts'
import { logger } from '../log.ts'
import { backoffDelay } from './backoff.ts'

const log = logger('turn')

/** The TURN server and credentials new peer connections use. */
export type TurnSource = {
  current(): TurnInfo | undefined
  /** Called with each new set of credentials; returns the unsubscribe. */
  onChange(fn: (turn: TurnInfo) => void): () => void
}

/** A source that never changes (tests; a relay without TURN). */
export const fixedTurn = (turn: TurnInfo | undefined): TurnSource => ({
  current: () => turn,
  onChange: () => () => {},
})

/** When in a credential's lifetime it is replaced. */
export const TURN_REFRESH_AT = 0.8
/** The longest wait between two looks at the wall clock: a machine that slept catches up. */
export const TURN_CHECK_MAX_MS = 10 * 60_000
/** Retries after a failed refresh: 5 s, 10 s, … up to 5 min, with jitter. */
export const TURN_RETRY = { initial: 5_000, max: 5 * 60_000, jitter: 0.2 }

/**
 * How long `turn` stays valid from `now` in ms: its `ttlSeconds` when the relay says (measured
 * from receipt, so the clocks need not agree), else the expiry its user name carries
 * (`<unix seconds>:<user>`); undefined for credentials that do not expire.
 */
export function lifetimeMs(turn: TurnInfo, now: number): number | undefined {
  if (turn.ttlSeconds !== undefined) return turn.ttlSeconds * 1000
  const expiry = /^(\d+):/.exec(turn.username)?.[1]
  return expiry === undefined ? undefined : Math.max(0, Number(expiry) * 1000 - now)
}

export type TurnRefresher = TurnSource & { stop(): void }

/**
 * Keeps `initial` fresh with what `fetchTurn` returns: at {@link TURN_REFRESH_AT} of each
 * set's lifetime it asks again; a failure (thrown, or the same credentials back) is retried
 * with back-off until it succeeds. Credentials that do not expire are kept as they are.
 * @example const turn = refreshTurn({ initial: config.relay.turn, fetchTurn: fetchRelayTurn })
 */
export function refreshTurn(opts: {
  initial: TurnInfo
  fetchTurn: () => Promise<TurnInfo | undefined>
  now?: () => number
  random?: () => number
}): TurnRefresher {
  const now = opts.now ?? Date.now
  const listeners = new Set<(turn: TurnInfo) => void>()
  let turn = opts.initial
  let dueAt = 0
  let failures = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false

  const schedule = (at: number) => {
    dueAt = at
    if (timer) clearTimeout(timer)
    timer = setTimeout(tick, Math.max(0, Math.min(at - now(), TURN_CHECK_MAX_MS)))
  }
  const plan = () => {
    const life = lifetimeMs(turn, now())
    if (life === undefined) return
    failures = 0
    schedule(now() + life * TURN_REFRESH_AT)
  }
  async function tick(): Promise<void> {
    timer = undefined
    if (stopped) return
    if (now() < dueAt) return schedule(dueAt)
    try {
      const next = await opts.fetchTurn()
      if (stopped) return
      if (!next) throw new Error('the relay announces no TURN server')
      if (next.username === turn.username && next.credential === turn.credential)
        throw new Error('the relay sent the same credentials (a cached config?)')
      turn = next
      log('new TURN credentials: %s', next.username)
      for (const fn of listeners) {
        try {
          fn(next)
        } catch (err) {
          log.warn('a TURN listener failed: %s', (err as Error).message)
        }
      }
      plan()
    } catch (err) {
      if (stopped) return
      const wait = backoffDelay(failures++, { ...TURN_RETRY, random: opts.random ?? Math.random })
      log.warn('TURN refresh failed (%s); again in %d s', (err as Error).message, wait / 1000)
      schedule(now() + wait)
    }
  }
  plan()
  return {
    current: () => turn,
    onChange(fn) {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = undefined
    },
  }
}

/**
 * The relay's current TURN credentials, from a fresh `/config.json` (never the Service
 * Worker's offline copy, whose credentials are old).
 */
export async function fetchRelayTurn(
  fetchFn: typeof fetch = fetch,
  url = '/config.json',
): Promise<TurnInfo | undefined> {
  const res = await fetchFn(url, { cache: 'no-store' })
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`)
  if (res.headers.get('x-hashcard-offline') === '1') throw new Error(`${url}: offline`)
  return parseAppConfig(await res.json()).relay.turn
}
