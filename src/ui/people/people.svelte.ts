/**
 * Names and avatars for addresses (issue #18, "People"): one model per node client that asks
 * the node for the profiles of the addresses the page shows (`feed.people`, batched: a feed
 * page of bylines is one request) and asks again when the node reports new profile cards
 * (`feed.people` events, gossiped or mined).
 */
import { getContext, setContext } from 'svelte'
import { SvelteMap } from 'svelte/reactivity'
import type { Hex } from '../../shared/card/card.ts'
import type { Person } from '../../shared/card/feed.ts'
import { perClient } from '../lib/perClient.ts'
import type { Rpc } from '../lib/rpc-client.ts'

/** Addresses per `feed.people` request (the node's limit, src/node/feed/profiles.ts). */
const BATCH = 200

export class People {
  /** null: no profile; absent: not answered yet. */
  readonly #known = new SvelteMap<Hex, Person | null>()
  readonly #asked = new Set<Hex>()
  readonly #queue = new Set<Hex>()
  #flushing = false

  constructor(private readonly rpc: Rpc) {
    rpc.onEvent((e) => {
      if (e.kind !== 'feed.people') return
      for (const a of e.addresses) if (this.#asked.has(a)) this.#enqueue(a)
    })
  }

  /**
   * The profile of `address` (reactive): a Person, null when it has posted none, undefined
   * until the node answered. The first read asks the node.
   * @example const name = people.of(card.creator)?.name
   */
  of(address: string): Person | null | undefined {
    const a = address.toLowerCase() as Hex
    if (!this.#asked.has(a)) {
      this.#asked.add(a)
      this.#enqueue(a)
    }
    return this.#known.get(a)
  }

  /** Asks again now (after this page posted a profile). */
  refresh(address: string): void {
    const a = address.toLowerCase() as Hex
    this.#asked.add(a)
    this.#enqueue(a)
  }

  #enqueue(a: Hex): void {
    this.#queue.add(a)
    if (this.#flushing) return
    this.#flushing = true
    // After the current render: every byline of a page lands in one request.
    setTimeout(() => void this.#flush(), 0)
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.size > 0) {
        const batch = [...this.#queue].slice(0, BATCH)
        for (const a of batch) this.#queue.delete(a)
        const found = await this.rpc.call('feed.people', { addresses: batch }).catch(() => null)
        if (!found) {
          // The node is restarting or busy: the next read asks again.
          for (const a of batch) this.#asked.delete(a)
          continue
        }
        for (const [i, a] of batch.entries()) this.#known.set(a, found[i] ?? null)
      }
    } finally {
      this.#flushing = false
    }
  }
}

export const peopleOf = perClient((rpc) => new People(rpc))

const KEY = Symbol('people')

/** Called once by the app: the node client whose people every byline shows. */
export function providePeople(rpc: () => Rpc | null): void {
  setContext(KEY, rpc)
}

/**
 * The people model of the app's node client, or null (no node yet, or a component shown
 * outside the app, as in a test harness: it shows short addresses).
 */
export function usePeople(): () => People | null {
  const rpc = getContext<(() => Rpc | null) | undefined>(KEY)
  return () => {
    const r = rpc?.()
    return r ? peopleOf(r) : null
  }
}
