import { describe, expect, it } from 'vitest'
import type { PrivacySource } from '../net/privacy.ts'
import { fixedTurn } from '../net/turnCredentials.ts'
import { assignRtcConfig, followPrivacy } from './privacy.ts'

const turn = {
  urls: ['turn:127.0.0.1:3478?transport=udp'],
  username: '9:hc',
  credential: 'c2VjcmV0',
}

const stunOnly = { iceServers: [{ urls: ['stun:127.0.0.1:3478'] }] }

/** A switchable setting, as the seed service's source behaves. */
function toggle(initial: boolean) {
  let on = initial
  const fns = new Set<(on: boolean) => void>()
  const source: PrivacySource = {
    current: () => on,
    onChange: (fn) => {
      fns.add(fn)
      return () => fns.delete(fn)
    },
  }
  return {
    source,
    set(v: boolean) {
      on = v
      for (const fn of fns) fn(v)
    },
  }
}

/** A torrent with wires and a tracker client, recording what the switch did to them. */
function fakeTorrent() {
  const log: string[] = []
  const wire = (n: number) => ({ destroy: () => log.push(`wire ${n} destroyed`) })
  let made = 0
  const tracker = (n: number) => ({
    n,
    stop: () => log.push(`tracker ${n} stopped`),
    destroy: (cb?: () => void) => {
      log.push(`tracker ${n} destroyed`)
      cb?.()
    },
  })
  const t = {
    destroyed: false,
    wires: [wire(1), wire(2)],
    discovery: {
      tracker: tracker(0) as unknown,
      _createTracker: () => {
        log.push('tracker created')
        return tracker(++made)
      },
    },
  }
  return { t, log }
}

describe('privacy mode in the swarm', () => {
  it('starts from the setting: relay-only when on, STUN on the TURN server when off', () => {
    expect(followPrivacy(toggle(true).source, fixedTurn(turn), () => []).rtcConfig).toEqual({
      iceTransportPolicy: 'relay',
      iceServers: [{ urls: turn.urls, username: '9:hc', credential: 'c2VjcmV0' }],
    })
    expect(followPrivacy(toggle(false).source, fixedTurn(turn), () => []).rtcConfig).toEqual(
      stunOnly,
    )
  })

  it('rewrites the shared config in place on a change, and drops wires and pending offers', () => {
    const s = toggle(false)
    const { t, log } = fakeTorrent()
    const gone = { ...fakeTorrent().t, destroyed: true }
    const { rtcConfig, stop } = followPrivacy(s.source, fixedTurn(turn), () => [t, gone])
    const held = rtcConfig // what bittorrent-tracker keeps as `_rtcConfig`
    s.set(true)
    expect(held.iceTransportPolicy).toBe('relay')
    expect(held.iceServers).toHaveLength(1)
    expect(log).toEqual([
      'wire 1 destroyed',
      'wire 2 destroyed',
      'tracker 0 stopped',
      'tracker 0 destroyed',
      'tracker created',
    ])
    expect((t.discovery.tracker as { n: number }).n).toBe(1)
    s.set(false)
    expect(held).toEqual(stunOnly)
    stop()
    s.set(true)
    expect(held).toEqual(stunOnly)
  })

  it('replaces every key of the target', () => {
    const target: RTCConfiguration = { iceTransportPolicy: 'relay', iceServers: [] }
    assignRtcConfig(target, { bundlePolicy: 'max-bundle' })
    expect(target).toEqual({ bundlePolicy: 'max-bundle' })
  })
})
