/**
 * What the compose view hands the node to publish: the card's own fields. The node adds
 * `v`, `createdAt`, the content fields (after storing the file) and the access details.
 */
import type { Card, CardProfile } from './card.ts'

export type CardDraft = Pick<Card, 'kind' | 'title' | 'tags'> & {
  text?: string | undefined
  lang?: string | undefined
  parent?: `0x${string}` | undefined
  preview?:
    | {
        placeholder?: Uint8Array | undefined
        excerpt?: string | undefined
        image?: Uint8Array | undefined
      }
    | undefined
  /**
   * Free, or a price in wei (decimal string) with supply and royalty, the KeyMarket transfer
   * fee (wei, decimal string; default 0) and the key agent (default: the creator's account).
   */
  access:
    | { free: true }
    | {
        free?: undefined
        price: string
        supply: number
        royaltyBps: number
        transferFee?: string | undefined
        keyAgent?: `0x${string}` | undefined
      }
  site?: { entry: string; fallback?: string | undefined } | undefined
  /** Kind `profile`: the profile (./profile.ts); title empty, no tags, free. */
  profile?: CardProfile | undefined
}
