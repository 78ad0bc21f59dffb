/**
 * The access service (DESIGN §1 `access/`): who may decrypt what. It owns every content key
 * this node can use — the key a free card carries inline, keys bought as tokens (the vault),
 * and the creator's own keys, derived from the identity's content master — and the one
 * card ↔ item map (cardMap.ts). Everything that reads content (the swarm's verification, the
 * Service Worker's stream, `store.read`, the key agent) asks it, by card id or item id:
 * {@link AccessService.cipherFor} gives the AEAD context, never the key to the page.
 *
 * Order of keys: the free key, then a bought key, then the creator's (an item published
 * here, or a card whose on-chain creator is this account).
 */
import type { Address } from 'viem'
import { NoIdentityError } from '../../shared/errors/crypto.ts'
import type { AccountContext } from '../account/service.ts'
import { getCreatorOf } from '../chain/reads.ts'
import { wipe } from '../crypto/bytes.ts'
import { deriveContentKey, type SliceCipher, sliceCipher } from '../crypto/content.ts'
import type { Identity } from '../crypto/identity.ts'
import { logger } from '../log.ts'
import type { Registrar } from '../rpc/server.ts'
import type { SliceStore } from '../store/types.ts'
import { type CardMap, isCardId, type Link, openCardMap } from './cardMap.ts'
import { createAccessHandlers } from './handlers.ts'
import { legacyCardItems, legacyRegistrations, legacySwarmRecords } from './legacy.ts'
import { createKeyVault, type KeyVault } from './vault.ts'

const log = logger('access')

export type AccessComponents = {
  identity: { identity(): Promise<Identity | null> }
  store: () => Promise<SliceStore>
  account: { context(): Promise<AccountContext | null>; require?(): Promise<AccountContext> }
  /** Where to register `keys.registerCard`, `keys.access` and `keys.decrypt` (handlers.ts). */
  rpc?: Registrar
}

export type AccessInit = { dbName?: string }

/** What `keys.access` reports for a card. */
export type AccessOf =
  | { access: 'owner'; tokenId: string }
  | { access: 'creator' }
  | { access: 'none' }

type Opts = { signal?: AbortSignal | undefined }

/** Factory in the libp2p style: `accessService(init)(components)`; registers its handlers. */
export function accessService(init: AccessInit = {}) {
  return (c: AccessComponents) => {
    const access = new AccessService(c, init)
    c.rpc?.register(
      createAccessHandlers({
        access,
        requireAccount: async () => (await c.account.require?.()) ?? c.account.context(),
      }),
    )
    return access
  }
}

export class AccessService {
  readonly map: CardMap
  /** Per account context: its vault, the creators of cards it asked about, its old rows. */
  private readonly perAccount = new WeakMap<AccountContext, PerAccount>()
  private readonly cardListeners = new Set<() => Promise<void>>()
  /**
   * Ciphers already built, by the ref asked (a card id in lower case or an item id), for the
   * account and identity they were built under. Every `/c/` open asks for one; without the
   * cache each paid a vault read and unseal, a key import and a few map and store awaits.
   * Only keys found are kept; {@link link} and every vault write empty it.
   */
  private ciphers: CipherCache = { ctx: null, id: null, byRef: new Map() }

  constructor(
    private readonly c: AccessComponents,
    init: AccessInit,
  ) {
    this.map = openCardMap(init.dbName)
  }

  async start(): Promise<void> {
    const n =
      (await this.map.importLegacy('card-items', legacyCardItems)) +
      (await this.map.importLegacy('swarm-records', legacySwarmRecords))
    if (n > 0) log('imported %d rows of an older profile', n)
  }

  async stop(): Promise<void> {
    await this.map.close()
  }

  /**
   * Records what is known of a card and its item (see cardMap.ts); when it names a card, the
   * listeners hear of it (the key agent retries requests that waited for that card).
   */
  async link(l: Link): Promise<void> {
    this.forgetCiphers()
    await this.map.link(l)
    this.forgetCiphers()
    if (l.cardId === undefined) return
    for (const fn of this.cardListeners)
      await fn().catch((err: Error) => log.warn('card listener: %s', err.message))
  }

  /** Calls `fn` after every link that names a card; returns the unsubscribe function. */
  onCardKnown(fn: () => Promise<void>): () => void {
    this.cardListeners.add(fn)
    return () => this.cardListeners.delete(fn)
  }

  /** The stored item a card id names, or the item id itself when stored; else null. */
  async itemOf(ref: string): Promise<string | null> {
    await this.account()
    const itemId = isCardId(ref) ? await this.map.itemOf(ref) : ref
    return itemId && (await (await this.c.store()).item(itemId)) ? itemId : null
  }

  /**
   * The AEAD context for reading a card's or item's slices, or null when this node holds no
   * key for it (the Service Worker's 403).
   * @example const cipher = await access.cipherFor(cardId, { signal }); if (!cipher) return forbidden()
   */
  async cipherFor(ref: string, o: Opts = {}): Promise<SliceCipher | null> {
    const ctx = await this.account()
    const id = await this.c.identity.identity()
    if (this.ciphers.ctx !== ctx || this.ciphers.id !== id)
      this.ciphers = { ctx, id, byRef: new Map() }
    const cache = this.ciphers.byRef
    const k = isCardId(ref) ? ref.toLowerCase() : ref
    const hit = cache.get(k)
    if (hit) return hit
    const found = await this.find(ref, o)
    if (!found) return null
    try {
      const cipher = await sliceCipher(found.key, found.salt)
      // Kept only if nothing emptied the cache while it was built (a link, a vault write).
      if (this.ciphers.byRef === cache) cache.set(k, cipher)
      return cipher
    } finally {
      wipe(found.key)
    }
  }

  /**
   * The raw content key of a card or item (a free card's inline key, the agent's sealing), or
   * null. Node-internal: the caller wipes it and never sends it to the page.
   */
  async keyFor(ref: string, o: Opts = {}): Promise<Uint8Array | null> {
    return (await this.find(ref, o))?.key ?? null
  }

  /**
   * The key this identity derives for a card's salt, whoever posted it: what a key agent
   * seals for buyers. Null while the card's salt is unknown.
   */
  async derivedKeyOf(cardId: `0x${string}`, o: Opts = {}): Promise<Uint8Array | null> {
    await this.account()
    const [id, salt] = await Promise.all([this.c.identity.identity(), this.saltOf(cardId)])
    o.signal?.throwIfAborted()
    return id && salt ? deriveContentKey(id.contentMaster, salt) : null
  }

  /** The creator's AEAD context for a new item's salt (publishing). */
  async creatorCipher(salt: Uint8Array): Promise<SliceCipher> {
    const id = await this.c.identity.identity()
    if (!id) throw new NoIdentityError('Create or restore an identity first.')
    const key = deriveContentKey(id.contentMaster, salt)
    try {
      return await sliceCipher(key, salt)
    } finally {
      wipe(key)
    }
  }

  /** How this node may decrypt a card: an owned key token, as its creator, or not at all. */
  async accessOf(cardId: `0x${string}`, o: Opts = {}): Promise<AccessOf> {
    const ctx = await this.account()
    const held = ctx ? await this.of(ctx).vault.get(cardId) : null
    if (held) {
      wipe(held.key)
      return { access: 'owner', tokenId: held.tokenId.toString() }
    }
    const salt = await this.saltOf(cardId)
    const key = salt ? await this.creatorKey(cardId, await this.itemOf(cardId), salt, ctx, o) : null
    if (!key) return { access: 'none' }
    wipe(key)
    return { access: 'creator' }
  }

  /** The vault of the current account, or null without one (keys/owner.ts fills it). */
  async vault(): Promise<KeyVault | null> {
    const ctx = await this.account()
    return ctx ? this.of(ctx).vault : null
  }

  /** A card's salt: told with the card, or its stored item's. */
  async saltOf(cardId: `0x${string}`): Promise<Uint8Array | null> {
    const told = await this.map.saltOf(cardId)
    if (told) return told
    const itemId = await this.map.itemOf(cardId)
    const item = itemId ? await (await this.c.store()).item(itemId) : null
    return item ? item.contentSalt.slice() : null
  }

  /** The key of a card or item, in the order of the module's doc, with the salt it is for. */
  private async find(ref: string, o: Opts): Promise<{ key: Uint8Array; salt: Uint8Array } | null> {
    const ctx = await this.account()
    const byCard = isCardId(ref)
    const cardId = byCard ? (ref.toLowerCase() as `0x${string}`) : await this.map.cardOf(ref)
    const itemId = byCard ? await this.map.itemOf(ref) : ref
    const item = itemId ? await (await this.c.store()).item(itemId) : null
    const salt = item?.contentSalt.slice() ?? (cardId ? await this.map.saltOf(cardId) : null)
    if (!salt) return null
    o.signal?.throwIfAborted()
    const free = item ? await this.map.freeKeyOf(item.id) : null
    if (free) return { key: free, salt }
    const held = ctx && cardId ? await this.of(ctx).vault.get(cardId) : null
    if (held) return { key: held.key, salt }
    const key = await this.creatorKey(cardId, item?.id ?? null, salt, ctx, o)
    return key ? { key, salt } : null
  }

  /**
   * The creator's key: for an item published here (stored, not fetched from peers), or for a
   * card whose on-chain creator is this account.
   */
  private async creatorKey(
    cardId: `0x${string}` | null,
    itemId: string | null,
    salt: Uint8Array,
    ctx: AccountContext | null,
    o: Opts,
  ): Promise<Uint8Array | null> {
    const id = await this.c.identity.identity()
    if (!id) return null
    const own = itemId !== null && (await this.map.originOf(itemId)) !== 'peer'
    if (!own) {
      if (!ctx || !cardId) return null
      const creators = this.of(ctx).creators
      if (!creators.has(cardId)) creators.set(cardId, await getCreatorOf(ctx.chain, { cardId }))
      o.signal?.throwIfAborted()
      if (creators.get(cardId)?.toLowerCase() !== ctx.chain.account.address.toLowerCase())
        return null
    }
    return deriveContentKey(id.contentMaster, salt)
  }

  /** The current account context, once what its database knew of cards was read in. */
  private async account(): Promise<AccountContext | null> {
    const ctx = await this.c.account.context().catch(() => null)
    if (ctx) await this.of(ctx).imported
    return ctx
  }

  /** Empties the cipher cache (a new map: a cipher being built under the old one is not kept). */
  private forgetCiphers(): void {
    this.ciphers.byRef = new Map()
  }

  /** The vault, emptying the cipher cache on every write (a key received, a token gone). */
  private forgetOnWrite(vault: KeyVault): KeyVault {
    const forget =
      <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
      async (...a: A): Promise<R> => {
        this.forgetCiphers()
        try {
          return await fn(...a)
        } finally {
          this.forgetCiphers()
        }
      }
    return {
      ...vault,
      put: forget(vault.put),
      delete: forget(vault.delete),
      deleteToken: forget(vault.deleteToken),
    }
  }

  private of(ctx: AccountContext): PerAccount {
    let p = this.perAccount.get(ctx)
    if (!p) {
      const imported = this.map
        .importLegacy(`registrations-${ctx.chain.account.address.toLowerCase()}`, () =>
          legacyRegistrations(ctx.db),
        )
        .then(
          () => {},
          (err: Error) => log.warn('old card registrations: %s', err.message),
        )
      p = { vault: this.forgetOnWrite(createKeyVault(ctx.db)), creators: new Map(), imported }
      this.perAccount.set(ctx, p)
    }
    return p
  }
}

/** Ciphers by ref, valid for one account context and identity. */
type CipherCache = {
  ctx: AccountContext | null
  id: Identity | null
  byRef: Map<string, SliceCipher>
}

type PerAccount = { vault: KeyVault; creators: Map<string, Address>; imported: Promise<void> }
