import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { LimitStats, RelayLimits } from './limits.ts'
import { TokenBuckets } from './limits.ts'

/** Score points a peer loses per message over its budget (gossipsub graylists at −80). */
export const PENALTY_PER_DROP = 10
/** A peer's penalty halves every this many ms, so a peer that calms down is heard again. */
export const PENALTY_HALF_LIFE_MS = 10_000
const PENALTY_CAP = 10_000
/** gossipsub's default `graylistThreshold`: below it every RPC from the peer is ignored. */
export const GRAYLIST_THRESHOLD = -80

export type GossipGuard = {
  /** The topic validator: Accept within the peer's budget, Ignore (not forwarded) above it. */
  validate(peer: PeerId, msg: { data: Uint8Array }): TopicValidatorResult
  /** gossipsub's `appSpecificScore`: minus the peer's decayed penalty. */
  score(peer: string): number
  /** Forgets a peer's buckets (it disconnected; its penalty stays until it decays). */
  forget(peer: string): void
  /** Peers whose penalty alone keeps them below the graylist threshold now. */
  graylisted(): number
}

/**
 * Per-peer gossip limits on top of gossipsub's own peer scoring (js-libp2p-gossipsub has no
 * rate option): each peer that forwards to the relay has a message bucket and a byte bucket.
 * A message over budget is Ignored — neither delivered nor forwarded — and costs the peer
 * {@link PENALTY_PER_DROP} points of application score, so a flooder falls under the
 * graylist threshold after a few drops and gossipsub then ignores its RPCs wholesale, before
 * any signature check. Honest peers never reach the budget and keep a score of 0.
 */
export function createGossipGuard(
  limits: RelayLimits,
  stats: LimitStats,
  now: () => number = Date.now,
): GossipGuard {
  const messages = new TokenBuckets(
    { capacity: limits.gossipMessageBurst, perSecond: limits.gossipMessagesPerSecond },
    now,
  )
  const bytes = new TokenBuckets(
    { capacity: limits.gossipByteBurst, perSecond: limits.gossipBytesPerSecond },
    now,
  )
  const penalties = new Map<string, { points: number; at: number }>()
  const decayed = (p: { points: number; at: number }, t: number) =>
    p.points * 0.5 ** ((t - p.at) / PENALTY_HALF_LIFE_MS)
  const penalize = (peer: string) => {
    const t = now()
    const p = penalties.get(peer)
    const points = Math.min(PENALTY_CAP, (p ? decayed(p, t) : 0) + PENALTY_PER_DROP)
    if (!p && penalties.size >= 65_536) sweep(t)
    penalties.set(peer, { points, at: t })
  }
  const sweep = (t: number) => {
    for (const [peer, p] of penalties) if (decayed(p, t) < 1) penalties.delete(peer)
  }
  return {
    validate(peer, msg) {
      const id = peer.toString()
      // A refused message still spends what it took: a flood keeps its own buckets empty.
      const wait = messages.take(id) || bytes.take(id, msg.data.length)
      if (wait === 0) {
        stats.gossipAccepted++
        return TopicValidatorResult.Accept
      }
      stats.gossipDropped++
      penalize(id)
      return TopicValidatorResult.Ignore
    },
    score(peer) {
      const p = penalties.get(peer)
      return p ? -decayed(p, now()) : 0
    },
    forget(peer) {
      messages.delete(peer)
      bytes.delete(peer)
    },
    graylisted() {
      const t = now()
      let n = 0
      for (const p of penalties.values()) if (-decayed(p, t) < GRAYLIST_THRESHOLD) n++
      return n
    },
  }
}
