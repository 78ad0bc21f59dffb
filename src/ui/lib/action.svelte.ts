/**
 * What a form's buttons share: one task at a time (`busy` disables them) and the message of
 * the last failure, as a person should read it (a `BaseError`'s short message, never a stack).
 */
import { BaseError } from '../../shared/errors/base.ts'

/** The message to show for a failed call. */
export function errorText(err: unknown): string {
  if (err instanceof BaseError) return err.shortMessage
  return err instanceof Error ? err.message : String(err)
}

/**
 * A component's running action: `busy` while a task runs; `error` (its text) and `failure`
 * (the error itself, for pay/ErrorNote.svelte to word with a next step) from the last one.
 */
export class Action {
  busy = $state(false)
  error = $state('')
  failure = $state.raw<unknown>(null)

  /** Runs `task`, clearing the last error first; a failure lands in `error`, not thrown. */
  async run(task: () => Promise<unknown>): Promise<void> {
    this.busy = true
    this.clear()
    try {
      await task()
    } catch (err) {
      this.error = errorText(err)
      this.failure = err
    } finally {
      this.busy = false
    }
  }

  /** Forgets the last failure (it was fixed: the account got funds). */
  clear(): void {
    this.error = ''
    this.failure = null
  }
}
