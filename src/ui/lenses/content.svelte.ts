/**
 * A card's content as a viewer opens it (DESIGN §4.3): `content.play` puts the card's item in
 * this node's swarm (and a free card's key in access); once the Service Worker controls the
 * page `/c/<cardId>` streams it, decrypted by the node. The swarm stats and the play head go
 * through the player's state. A card this node holds no key for answers 403: `denied` says so.
 */
import type { Hex } from '../../shared/card/card.ts'
import { errorText } from '../lib/action.svelte.ts'
import type { RpcClient } from '../lib/rpc-client.ts'
import { playCard } from '../swarm/playCard.ts'
import { PlayerState } from '../swarm/player.svelte.ts'

export class CardContent {
  player = $state.raw<PlayerState | null>(null)
  error = $state<string | null>(null)
  denied = $state<string | null>(null)
  /** `/c/…` can be fetched: the item is in the swarm and the Service Worker answers. */
  ready = $derived(!!this.player?.controlled && !this.error)
  readonly src: string
  private probed = false
  private asked = false

  constructor(
    private readonly rpc: RpcClient,
    readonly cardId: Hex,
  ) {
    this.src = `/c/${cardId}`
  }

  /** Starts fetching; returns the function that stops watching the stats. */
  start(): () => void {
    let stopped = false
    let stop = () => {}
    playCard(this.rpc, this.cardId).then(
      (info) => {
        if (stopped) return
        const p = new PlayerState(this.rpc, info.infoHash)
        this.player = p
        stop = p.start()
      },
      (err: unknown) => {
        if (!stopped) this.error = errorText(err)
      },
    )
    return () => {
      stopped = true
      stop()
    }
  }

  /**
   * Called once the Service Worker answers: a paid card is asked at once whether it opens
   * (403 = no key); a free one only after an error.
   */
  onReady(paid: boolean): void {
    if (paid && !this.asked) {
      this.asked = true
      void this.explain()
    }
  }

  /** Asks the Service Worker whether the content opens (403 = no key) and says why not. */
  async explain(): Promise<void> {
    if (this.probed) return
    this.probed = true
    try {
      const res = await fetch(this.src, { headers: { range: 'bytes=0-0' } })
      if (res.status === 403) this.denied = 'You hold no key for this card: buy one to open it.'
      else if (!res.ok) this.error = `The content could not be read (${res.status}).`
      await res.body?.cancel()
    } catch (err) {
      this.error = errorText(err)
    } finally {
      this.probed = false
    }
  }

  /** Reads the whole content (a picture, a text, a PDF) through the Service Worker. */
  async bytes(signal: AbortSignal, limit?: number): Promise<ArrayBuffer> {
    const headers: HeadersInit = limit ? { range: `bytes=0-${limit - 1}` } : {}
    const res = await fetch(this.src, { headers, signal })
    if (res.status === 403) {
      this.denied = 'You hold no key for this card: buy one to open it.'
      await res.body?.cancel()
      throw new Error(this.denied)
    }
    if (!res.ok) {
      await res.body?.cancel()
      throw new Error(`The content could not be read (${res.status}).`)
    }
    return res.arrayBuffer()
  }
}
