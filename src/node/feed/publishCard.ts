/**
 * The publish flow (DESIGN §4.1) for a card: store (encrypt + hash) the file if there is
 * one → seed its ciphertext in the swarm (the card carries the infoHash) and the page-made
 * preview as an unencrypted torrent (the card's `pv.ih`) → build and sign the
 * card → index it locally as pending and gossip it → post it on-chain → link the card to its
 * item in access (the key agent derives a paid card's key from it) → list it if paid. Progress is reported at each stage. Nothing is posted until the content is stored and
 * seeded; a failed post leaves a stored, seeded item the next attempt can reuse.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { Account } from 'viem'
import { type Card, cardIdOf, encodeCard, type Hex } from '../../shared/card/card.ts'
import type { CardDraft } from '../../shared/card/draft.ts'
import type { FeedCard } from '../../shared/card/feed.ts'
import type { PreviewFileInput } from '../../shared/protocol/methods/preview.ts'
import type { ConfirmSpend } from '../../shared/protocol/methods/spend.ts'
import { packSite, SITE_MIME } from '../../shared/site/archive.ts'
import { TOPICS } from '../../shared/topics.ts'
import type { ChainContext } from '../chain/clients.ts'
import { listCard } from '../chain/listCard.ts'
import { postCard } from '../chain/postCard.ts'
import { wipe } from '../crypto/bytes.ts'
import type { SliceCipher } from '../crypto/content.ts'
import { type SiteInput, siteTree } from '../site/tree.ts'
import type { PublishComponents } from '../store/publish.ts'
import { publishFile } from '../store/publish.ts'
import type { FeedDb } from './db.ts'
import { type Domain, signCardGossip } from './gossip.ts'
import { applyEvents } from './ingest.ts'

export type PublishStage = 'pack' | 'store' | 'seed' | 'sign' | 'post' | 'list' | 'done'

export type PublishCardComponents = {
  chain: ChainContext
  account: Account
  /** The creator's AEAD context for a new item's salt (access.creatorCipher). */
  creatorCipher(salt: Uint8Array): Promise<SliceCipher>
  /** The raw key of a stored item (access.keyFor): a free card carries it inline. */
  keyFor(itemId: string): Promise<Uint8Array | null>
  db: FeedDb
  domain: Domain
  store: () => Promise<PublishComponents>
  /** Starts seeding a stored item (the swarm's `seed`); resolves with its infoHash (hex). */
  seed(itemId: string, signal: AbortSignal): Promise<{ infoHash: string }>
  /** Seeds the real preview as an unencrypted torrent (src/node/previews/); resolves with its infoHash. */
  seedPreview(files: PreviewFileInput[]): Promise<{ infoHash: string }>
  /** Records which item holds the card (access.link): its key agent and `/c/<cardId>` need it. */
  linkCard(link: { cardId: Hex; itemId: string }): Promise<void>
  publishGossip(topic: string, data: string): Promise<unknown>
  onChange(cards: FeedCard[]): void
}

export type PublishCardParameters = {
  draft: CardDraft
  file?: Blob | undefined
  /** A site's folder or ZIP: packed into one archive (src/shared/site/archive.ts), the content. */
  site?: SiteInput | undefined
  /** The page-made real preview; seeded beside the content, named by the card's `pv.ih`. */
  previewFiles?: PreviewFileInput[] | undefined
  onProgress?: (stage: PublishStage, done: number, total: number) => void
  signal: AbortSignal
  /** Asks the person before each transaction (post, then list); see chain/_write.ts. */
  confirm?: ConfirmSpend | undefined
}

/** Builds the card from the draft and the stored content. */
export function cardFromDraft(
  draft: CardDraft,
  content: Card['content'],
  key: Hex | undefined,
  keyAgent: Hex,
  now = Date.now(),
): Card {
  const card: Card = {
    v: 1,
    kind: draft.kind,
    title: draft.title,
    tags: draft.tags,
    createdAt: Math.floor(now / 1000),
    access: draft.access.free
      ? key
        ? { free: true, key }
        : { free: true }
      : {
          price: BigInt(draft.access.price),
          supply: draft.access.supply,
          royaltyBps: draft.access.royaltyBps,
          keyAgent,
        },
  }
  if (draft.text) card.text = draft.text
  if (draft.lang) card.lang = draft.lang
  if (draft.parent) card.parent = draft.parent
  const pv = draft.preview
  if (pv && (pv.placeholder || pv.excerpt || pv.image)) {
    card.preview = {}
    if (pv.placeholder) card.preview.placeholder = pv.placeholder
    if (pv.excerpt) card.preview.excerpt = pv.excerpt
    if (pv.image) card.preview.image = pv.image
  }
  if (content) card.content = content
  if (draft.site) card.site = draft.site
  if (draft.profile) card.profile = draft.profile
  return card
}

/**
 * Packs a site (DESIGN §4.8) into its archive: the file to store, and the draft as a site card
 * naming its entry and fallback. Refuses (SiteArchiveError) before anything is stored.
 */
async function packSiteDraft(
  draft: CardDraft,
  site: SiteInput,
  signal: AbortSignal,
  progress: (stage: PublishStage, done: number, total: number) => void,
): Promise<{ draft: CardDraft; file: File }> {
  progress('pack', 0, 1)
  const tree = await siteTree(site, signal)
  const { archive } = await packSite(tree, {
    entry: site.entry,
    fallback: site.fallback,
    signal,
    onProgress: (x) => progress('pack', x.bytes, x.totalBytes),
  })
  const name = `${draft.title.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'site'}.site`
  return {
    draft: {
      ...draft,
      kind: 'site',
      site: { entry: site.entry, ...(site.fallback ? { fallback: site.fallback } : {}) },
    },
    file: new File([archive], name, { type: SITE_MIME }),
  }
}

/**
 * Publishes a card; resolves once it is mined (and listed when paid).
 * @example await publishCard(components, { draft, file, signal })
 */
export async function publishCard(
  c: PublishCardComponents,
  p: PublishCardParameters,
): Promise<{ cardId: Hex; hash: Hex; bytes: number }> {
  const progress = p.onProgress ?? (() => {})
  if (p.site) p = { ...p, ...(await packSiteDraft(p.draft, p.site, p.signal, progress)) }
  let content: Card['content']
  let key: Hex | undefined
  let itemId: string | undefined
  if (p.file) {
    const total = p.file.size
    progress('store', 0, total)
    const r = await publishFile(
      await c.store(),
      {
        input: p.file,
        cipherOf: (salt) => c.creatorCipher(salt),
        name: p.file instanceof File ? p.file.name : 'file',
        mime: p.file.type || 'application/octet-stream',
      },
      { signal: p.signal, onProgress: (x) => progress('store', x.done, x.total) },
    )
    itemId = r.id
    content = {
      contentRoot: `0x${bytesToHex(r.contentRoot)}`,
      name: (p.file instanceof File ? p.file.name : 'file').slice(0, 200),
      mime: (p.file.type || 'application/octet-stream').slice(0, 100),
      size: r.size,
      sliceSize: r.sliceSize,
      contentSalt: `0x${bytesToHex(r.contentSalt)}`,
      cipher: 'aes-256-gcm',
    }
    progress('seed', 0, 2)
    const seeded = await c.seed(r.id, p.signal)
    content.infoHash = `0x${seeded.infoHash.replace(/^0x/, '').toLowerCase()}`
    progress('seed', 1, 2)
    if (p.draft.access.free) {
      const k = await c.keyFor(r.id)
      if (!k) throw new Error('no key for the item just published')
      key = `0x${bytesToHex(k)}`
      wipe(k)
    }
  }
  let previewInfoHash: Hex | undefined
  if (p.previewFiles?.length) {
    progress('seed', 1, 2)
    const pv = await c.seedPreview(p.previewFiles)
    previewInfoHash = `0x${pv.infoHash.replace(/^0x/, '').toLowerCase()}`
  }
  if (p.file || previewInfoHash) progress('seed', 2, 2)
  progress('sign', 0, 1)
  const agent = p.draft.access.free ? undefined : p.draft.access.keyAgent
  const keyAgent = (agent ?? c.account.address).toLowerCase() as Hex
  const card = cardFromDraft(p.draft, content, key, keyAgent)
  if (previewInfoHash) card.preview = { ...card.preview, infoHash: previewInfoHash }
  const bytes = encodeCard(card)
  const cardId = cardIdOf(bytes)
  const creator = c.account.address.toLowerCase() as Hex
  const gossip = await signCardGossip(c.account, c.domain, bytes)
  progress('sign', 1, 1)
  progress('post', 0, 1)
  // Shown and gossiped once the transaction is sent (confirmed and funded), so a declined or
  // unpaid post leaves no pending card behind, here or on peers.
  const posted = await postCard(c.chain, {
    card: bytes,
    signal: p.signal,
    confirm: p.confirm,
    onSent: async () => {
      c.onChange(
        await applyEvents(c.db, [{ type: 'card', id: cardId, creator, card, seenAt: Date.now() }]),
      )
      await c.publishGossip(TOPICS.cards, gossip).catch(() => {}) // the chain still carries it
    },
  })
  c.onChange(
    await applyEvents(c.db, [
      {
        type: 'card',
        id: cardId,
        creator,
        card,
        block: Number(posted.receipt.blockNumber),
        seenAt: Date.now(),
      },
    ]),
  )
  progress('post', 1, 1)
  if (itemId) await c.linkCard({ cardId, itemId })
  if (!card.access.free) {
    progress('list', 0, 1)
    const fee = p.draft.access.free ? '0' : (p.draft.access.transferFee ?? '0')
    await listCard(c.chain, {
      cardId,
      price: card.access.price,
      supply: card.access.supply,
      royaltyBps: card.access.royaltyBps,
      transferFee: BigInt(/^\d{1,30}$/.test(fee) ? fee : '0'),
      keyAgent: card.access.keyAgent,
      signal: p.signal,
      confirm: p.confirm,
    })
    progress('list', 1, 1)
  }
  progress('done', 1, 1)
  return { cardId, hash: posted.hash, bytes: bytes.length }
}
