/**
 * Privacy mode in the swarm (src/node/net/privacy.ts): webtorrent's peer connections — the
 * offers it sends the tracker, the answers it gives, and so the candidates the tracker and
 * every peer see — are made from one `RTCConfiguration` object that the tracker clients hold
 * by reference (bittorrent-tracker reads `client._rtcConfig` for each new simple-peer). A
 * change of the setting rewrites that object in place, then drops what was made under the old
 * one: every wire, and each tracker client with its pending offers (a new one announces at
 * once), so no later connection of this node carries an address it should not. Fresh TURN
 * credentials (net/turnCredentials.ts) rewrite the same object and touch nothing else: the
 * next connection uses them, those made before keep theirs.
 */
import type { PrivacySource } from '../net/privacy.ts'
import { rtcConfigFor } from '../net/privacy.ts'
import type { TurnSource } from '../net/turnCredentials.ts'

/** The parts of a torrent the switch touches (webtorrent's internals; the d.ts has them). */
type SwitchTorrent = {
  destroyed: boolean
  wires: { destroy(): void }[]
  discovery?: {
    tracker?: unknown
    _createTracker?: () => unknown
  } | null
}

type TrackerClient = { stop(): void; destroy(cb?: () => void): void }

/** Replaces `target`'s keys with `next`'s, keeping the object (its holders see the change). */
export function assignRtcConfig(target: RTCConfiguration, next: RTCConfiguration): void {
  for (const k of Object.keys(target)) delete (target as Record<string, unknown>)[k]
  Object.assign(target, next)
}

/**
 * The configuration webtorrent is created with (`tracker: { rtcConfig }`), following the
 * setting and the TURN credentials: returns it and the stop function. `torrents` is read at
 * each change of the setting.
 * @example const { rtcConfig } = followPrivacy(privacy, turn, () => client.torrents)
 */
export function followPrivacy(
  privacy: PrivacySource,
  turn: TurnSource,
  torrents: () => readonly SwitchTorrent[],
): { rtcConfig: RTCConfiguration; stop(): void } {
  const rtcConfig = rtcConfigFor(privacy.current(), turn.current())
  const stopPrivacy = privacy.onChange((on) => {
    assignRtcConfig(rtcConfig, rtcConfigFor(on, turn.current()))
    for (const t of torrents()) if (!t.destroyed) restartDiscovery(t)
  })
  const stopTurn = turn.onChange((fresh) =>
    assignRtcConfig(rtcConfig, rtcConfigFor(privacy.current(), fresh)),
  )
  return {
    rtcConfig,
    stop() {
      stopPrivacy()
      stopTurn()
    },
  }
}

/** Drops a torrent's wires and its tracker client (pending offers too); a new client announces. */
function restartDiscovery(t: SwitchTorrent): void {
  for (const wire of [...t.wires]) wire.destroy()
  const d = t.discovery
  const old = d?.tracker as TrackerClient | null | undefined
  if (!d || !old || !d._createTracker) return
  old.stop()
  old.destroy(() => {
    d.tracker = d._createTracker?.()
  })
}
