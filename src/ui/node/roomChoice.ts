/**
 * The user's answer to "make room by removing pinned or own items?" (a StorageBudgetError's
 * `ask`, src/shared/errors/seed.ts), as plain arithmetic: what is chosen at first (the node's
 * suggestion), how many bytes a choice frees, and whether that covers the shortfall.
 */
import type { RoomAsk } from '../../shared/errors/seed.ts'

/** The node's suggestion: the fewest least valuable items that cover the shortfall. */
export function suggestedChoice(ask: RoomAsk): string[] {
  return ask.candidates.filter((c) => c.suggested).map((c) => c.id)
}

/** Bytes the chosen candidates free (ids not among the candidates count nothing). */
export function chosenBytes(ask: RoomAsk, chosen: readonly string[]): number {
  const ids = new Set(chosen)
  return ask.candidates.reduce((sum, c) => sum + (ids.has(c.id) ? c.bytes : 0), 0)
}

/** Whether the choice frees enough for the node to make the rest of the room by itself. */
export function choiceCovers(ask: RoomAsk, chosen: readonly string[]): boolean {
  return chosen.length > 0 && chosenBytes(ask, chosen) >= ask.shortfall
}
