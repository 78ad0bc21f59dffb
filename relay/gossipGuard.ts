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
  /**
   * Before any work on a message (signature, message id, IDONTWANT): true when its sender is
   * already over its own budget, so the message is dropped at the cost of its decoding.
   * Takes nothing: a message that passes is charged by {@link validate} once it is known new.
   */
  overBudget(peer: string): boolean
  /** True when the peer sends at a tab's pace (the quiet budget below): its messages go first. */
  isQuiet(peer: string): boolean
  /**
   * The topic validator: Accept within the peer's budget and the relay's total, Ignore (not
   * forwarded) otherwise.
   */
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
 * any signature check. Once a peer is in debt, its next messages are dropped before their
 * signature is checked ({@link GossipGuard.overBudget}). Honest peers never reach the budget
 * and keep a score of 0.
 *
 * Every peer within its budget still shares the relay's total (`gossipTotal*`): a flood from
 * many peers, each within its own budget, would otherwise have the relay verify and forward
 * all of it. The last `gossipQuietReserve` messages of the total are kept for quiet peers
 * (within `gossipQuiet*`, a tab's pace), so the busiest senders are shed first and a tab's
 * cards pass; a shed message costs no score (the peer kept to its own budget).
 */
export function createGossipGuard(
  limits: RelayLimits,
  stats: LimitStats,
  now: () => number = Date.now,
): GossipGuard {
  const buckets = (capacity: number, perSecond: number) =>
    new TokenBuckets({ capacity, perSecond }, now)
  const messages = buckets(limits.gossipMessageBurst, limits.gossipMessagesPerSecond)
  const bytes = buckets(limits.gossipByteBurst, limits.gossipBytesPerSecond)
  const quiet = buckets(limits.gossipQuietMessageBurst, limits.gossipQuietMessagesPerSecond)
  const total = buckets(limits.gossipTotalMessageBurst, limits.gossipTotalMessagesPerSecond)
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
  const drop = (peer: string) => {
    stats.gossipDropped++
    penalize(peer)
    return TopicValidatorResult.Ignore
  }
  return {
    overBudget(peer) {
      if (messages.peek(peer) >= 1) return false
      drop(peer)
      return true
    },
    isQuiet(peer) {
      return quiet.peek(peer) >= limits.gossipQuietMessageBurst / 2
    },
    validate(peer, msg) {
      const id = peer.toString()
      // A refused message still spends what it took: a flood keeps its own buckets empty.
      if (messages.take(id) > 0 || bytes.take(id, msg.data.length) > 0) return drop(id)
      // Quiet: within a tab's pace with half its quiet burst to spare, so a flooder's bucket,
      // refilled now and then, does not make it quiet for one message.
      const isQuiet = quiet.take(id) === 0 && quiet.peek(id) >= limits.gossipQuietMessageBurst / 2
      if (total.take('', 1, isQuiet ? 0 : limits.gossipQuietReserve) > 0) {
        stats.gossipShed++
        return TopicValidatorResult.Ignore
      }
      stats.gossipAccepted++
      return TopicValidatorResult.Accept
    },
    score(peer) {
      const p = penalties.get(peer)
      return p ? -decayed(p, now()) : 0
    },
    forget(peer) {
      messages.delete(peer)
      bytes.delete(peer)
      quiet.delete(peer)
    },
    graylisted() {
      const t = now()
      let n = 0
      for (const p of penalties.values()) if (-decayed(p, t) < GRAYLIST_THRESHOLD) n++
      return n
    },
  }
}
