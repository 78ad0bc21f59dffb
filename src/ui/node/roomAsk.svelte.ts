/**
 * Asking before pinned or own items go (DESIGN §4.7: "never … without asking"). The node
 * refuses a download or a publish it cannot fit without them (StorageBudgetError) and says
 * which could go (`ask`); {@link withRoom} puts that to the user through the one dialog the app
 * shows (RoomDialog.svelte, mounted in App.svelte), has the node remove the chosen items
 * (`seed.evict`) and tries the call again.
 */
import { type RoomAsk, StorageBudgetError } from '../../shared/errors/seed.ts'
import type { Rpc } from '../lib/rpc-client.ts'
import { suggestedChoice } from './roomChoice.ts'

/** The question being asked: the node's ask and the user's current choice. */
export type RoomQuestion = { ask: RoomAsk; chosen: string[] }

/** The dialog's state: at most one question at a time. */
export class RoomAsker {
  question = $state<RoomQuestion | null>(null)
  #answer: ((ids: string[] | null) => void) | null = null

  /**
   * Shows the question; resolves with the ids the user agreed to remove, or null when they
   * declined. A newer question replaces one still open, which counts as declined.
   */
  ask(ask: RoomAsk): Promise<string[] | null> {
    this.answer(null)
    this.question = { ask, chosen: suggestedChoice(ask) }
    return new Promise((resolve) => {
      this.#answer = resolve
    })
  }

  /** The user's answer (null: no). */
  answer(ids: string[] | null): void {
    const resolve = this.#answer
    this.#answer = null
    this.question = null
    resolve?.(ids === null ? null : [...ids])
  }
}

/** The app's one asker (RoomDialog shows it). */
export const roomAsker = new RoomAsker()

/** How many times one call may ask (the room a removal made can be taken again meanwhile). */
export const MAX_ASKS = 3

/**
 * Runs `call`; when the node refuses it for room that only pinned or own items could make,
 * asks the user, removes what they chose and runs it again. A refusal with nothing to ask, a
 * "no", or any other failure rejects as `call` did.
 * @example const info = await withRoom(rpc, () => rpc.call('content.play', { cardId }))
 */
export async function withRoom<T>(
  rpc: Pick<Rpc, 'call'>,
  call: () => Promise<T>,
  asker: Pick<RoomAsker, 'ask'> = roomAsker,
): Promise<T> {
  for (let asked = 0; ; asked++) {
    try {
      return await call()
    } catch (err) {
      const ask = err instanceof StorageBudgetError ? err.ask : null
      if (!ask || asked >= MAX_ASKS) throw err
      const ids = await asker.ask(ask)
      if (!ids || ids.length === 0) throw err
      await rpc.call('seed.evict', { ids })
    }
  }
}
