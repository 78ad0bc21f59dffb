/**
 * The moment to ask for persistent storage (DESIGN §4.7): the first publish done, or the
 * first key bought — when losing this site's storage would first cost something.
 */
import type { NodeEvent } from '../../shared/protocol/rpc.ts'

/** localStorage key: set once the user answered (or the storage was already persistent). */
export const PERSIST_ASKED_KEY = 'hashcard.persistAsked'

/** The first publish done, or a key bought (its token received, or its key delivered). */
export function isPersistMoment(e: NodeEvent): boolean {
  if (e.kind === 'feed.publish') return e.stage === 'done'
  return e.kind === 'keys.update' && (e.change === 'received' || e.change === 'key')
}
