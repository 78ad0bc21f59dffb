/**
 * When to ask for persistent storage (DESIGN §4.7): after the first publish or the first
 * purchase, when losing the node's storage would first cost something — your own content, or
 * a key you paid for — and once only (the answer is remembered in this browser).
 *
 * The node's `seed.persist` asks where it can; the Storage Standard gives `persist()` to
 * windows only, so when the node (a worker) says it cannot, the page asks itself.
 */
import { errorText } from '../lib/action.svelte.ts'
import type { RpcClient } from '../lib/rpc-client.ts'
import { isPersistMoment, PERSIST_ASKED_KEY } from './persistMoment.ts'

/** The browser side the prompt uses; injectable for tests. */
export type PromptEnv = {
  remembered: Pick<Storage, 'getItem' | 'setItem'>
  storage: Pick<StorageManager, 'persisted' | 'persist'> | undefined
}

export class PersistPrompt {
  visible = $state(false)
  result = $state<'granted' | 'declined' | null>(null)
  busy = $state(false)
  error = $state('')

  constructor(
    private readonly rpc: () => RpcClient | null,
    private readonly env: PromptEnv = { remembered: localStorage, storage: navigator.storage },
  ) {}

  /** Listens for the moment to ask; returns the stop function (for `$effect`). */
  start(): () => void {
    const rpc = this.rpc()
    if (!rpc) return () => {}
    return rpc.onEvent((e) => {
      if (isPersistMoment(e)) void this.maybeShow()
    })
  }

  async maybeShow(): Promise<void> {
    if (this.visible || this.env.remembered.getItem(PERSIST_ASKED_KEY)) return
    if (await this.env.storage?.persisted().catch(() => false)) {
      this.remember() // already persistent: nothing to ask, ever
      return
    }
    this.visible = true
  }

  async ask(): Promise<void> {
    const rpc = this.rpc()
    if (!rpc) return
    this.busy = true
    this.error = ''
    try {
      const r = await rpc.call('seed.persist', undefined)
      let persisted = r.persisted
      if (!persisted && !r.supported && this.env.storage?.persist)
        persisted = await this.env.storage.persist()
      this.result = persisted ? 'granted' : 'declined'
      this.remember()
    } catch (err) {
      this.error = errorText(err)
    } finally {
      this.busy = false
    }
  }

  dismiss(): void {
    this.visible = false
    this.remember()
  }

  private remember(): void {
    this.env.remembered.setItem(PERSIST_ASKED_KEY, '1')
  }
}
