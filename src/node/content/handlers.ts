/**
 * The RPC handlers that read or write plaintext (DESIGN §4.1, §4.3): `store.publishFile`
 * (encrypt and store under the creator's key), `store.read` (a bounded plaintext range of a
 * stored item, through the one range reader) and `content.play` (a card's content into the
 * swarm, in one call). Keys stay with access; these ask it for AEAD contexts only.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { FeedCard } from '../../shared/card/feed.ts'
import { NoContentKeyError } from '../../shared/errors/access.ts'
import { ItemNotFoundError } from '../../shared/errors/store.ts'
import type { SwarmAddParams } from '../../shared/protocol/methods/swarm.ts'
import type { RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { checkCardId, type Link } from '../access/cardMap.ts'
import type { SliceCipher } from '../crypto/content.ts'
import { publishFile } from '../store/publish.ts'
import type { EnsureRoom, StorageEstimateFn } from '../store/quota.ts'
import type { SliceStore } from '../store/types.ts'
import { addToSwarm } from '../swarm/handlers.ts'
import type { SwarmService } from '../swarm/service.ts'
import { decryptWith } from './decrypt.ts'
import { readPlaintext } from './range.ts'
import { storeSource } from './sources.ts'

type ContentMethod = 'store.read' | 'store.publishFile' | 'content.play'
export type ContentHandlers = {
  [M in ContentMethod]: (
    params: RpcParams<M>,
    ctx: { signal: AbortSignal },
  ) => Promise<RpcResult<M>>
}

/** Largest range `store.read` returns in one reply (bigger reads stream through the SW). */
export const MAX_READ_BYTES = 16 * 1024 * 1024

export type ContentHandlerDeps = {
  store: () => Promise<SliceStore>
  estimate: StorageEstimateFn
  /** Room within the storage budget for a publish (the seed service); unchecked without. */
  budget?: EnsureRoom
  access: {
    cipherFor(ref: string, o?: { signal?: AbortSignal }): Promise<SliceCipher | null>
    creatorCipher(salt: Uint8Array): Promise<SliceCipher>
    link(l: Link): Promise<void>
  }
  /** The swarm, for `content.play`; absent in tests of the store path. */
  swarm?: () => Promise<SwarmService>
  /** A card by id, from the feed (fetched from the chain when not indexed yet). */
  card?: (cardId: `0x${string}`, signal: AbortSignal) => Promise<FeedCard | null>
  /** Told each card `content.play` put in the swarm (a site's first files are fetched then). */
  played?: (item: FeedCard) => void
}

const bare = (hex: string) => hex.replace(/^0x/i, '').toLowerCase()

/** What `swarm.add` needs of a card: its content, and a free card's inline key. */
export function swarmAddOf(item: FeedCard): SwarmAddParams {
  const c = item.card.content
  if (!c?.infoHash)
    throw new ItemNotFoundError('This card has no content in the swarm.', { details: item.id })
  const a = item.card.access
  return {
    cardId: item.id,
    content: {
      infoHash: bare(c.infoHash),
      contentRoot: bare(c.contentRoot),
      name: c.name,
      mime: c.mime,
      size: c.size,
      sliceSize: c.sliceSize,
      contentSalt: bare(c.contentSalt),
    },
    ...(a.free && a.key ? { access: { kind: 'free' as const, key: bare(a.key) } } : {}),
  }
}

export function createContentHandlers(deps: ContentHandlerDeps): ContentHandlers {
  return {
    'store.publishFile': async (p, { signal }) => {
      const r = await publishFile(
        { store: await deps.store(), estimate: deps.estimate, budget: deps.budget },
        {
          input: p.file,
          cipherOf: (salt) => deps.access.creatorCipher(salt),
          name: p.name ?? (p.file instanceof File ? p.file.name : undefined),
          mime: p.mime ?? (p.file.type || undefined),
          ...(p.sliceSize ? { sliceSize: p.sliceSize } : {}),
          ...(p.resumeId ? { resumeId: p.resumeId } : {}),
        },
        { signal },
      )
      return {
        ...r,
        contentSalt: bytesToHex(r.contentSalt),
        contentRoot: bytesToHex(r.contentRoot),
      }
    },
    'store.read': async (p, { signal }) => {
      if (p.end - p.start > MAX_READ_BYTES)
        throw new RangeError(
          `end: expected at most ${MAX_READ_BYTES} bytes after start, got ${p.end - p.start}`,
        )
      const store = await deps.store()
      const item = await store.item(p.id)
      if (!item) throw new ItemNotFoundError(`No stored item ${p.id}.`)
      const cipher = await deps.access.cipherFor(item.id, { signal })
      if (!cipher)
        throw new NoContentKeyError('This node holds no key for the item.', { details: p.id })
      const range = { start: p.start, end: p.end }
      return readPlaintext(await storeSource(store, item), decryptWith(cipher), range, { signal })
    },
    'content.play': async (p, { signal }) => {
      if (!deps.swarm || !deps.card) throw new Error('content.play needs the swarm and the feed')
      const cardId = checkCardId(p.cardId)
      const item = await deps.card(cardId, signal)
      if (!item)
        throw new ItemNotFoundError('This card is not known to this node (yet).', {
          details: cardId,
        })
      const info = await addToSwarm(await deps.swarm(), deps.access, swarmAddOf(item))
      deps.played?.(item)
      return info
    },
  }
}
