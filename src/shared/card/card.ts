/**
 * The hash card, v1 (DESIGN §2): its fields, its wire form and its id.
 *
 * Format decision: deterministic CBOR (./cbor.ts) with one- and two-letter keys, because a
 * card on-chain pays for every calldata byte (≈ 40 gas per non-zero byte under Prague) and
 * CBOR carries hashes and salts as raw bytes where JSON would double them as hex. The wire map:
 *
 * | key | field | wire type |
 * |---|---|---|
 * | v | version (1) | uint |
 * | k | kind | uint (index in {@link CARD_KINDS}) |
 * | t / x | title / text | text |
 * | g | tags | array of text |
 * | l | lang | text (BCP 47) |
 * | c | createdAt | uint (unix seconds) |
 * | p | parent | bytes(32) (the card replied to) |
 * | pv | preview: h placeholder (ThumbHash bytes), e excerpt, i image (tiny inline WebP/JPEG), ih previewInfoHash | map |
 * | ct | content: i infoHash, r contentRoot, n name, m mime, s size, z sliceSize, a contentSalt, c cipher | map |
 * | ac | access: f=true (+ key: content key) · or p price (wei, minimal big-endian bytes), s supply, r royaltyBps, a keyAgent | map |
 * | st | site: e entry path, f fallback path (single-page apps) | map |
 * | pf | profile (kind `profile` only): n name, b bio, a avatar, u links — see ./profile.ts | map |
 *
 * cardId = keccak256(card bytes), the same value the CardRegistry computes.
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { CardCodecError } from '../errors/card.ts'
import { bytes, get, invalid, keysOnly, type Reader, sub, text, uint } from './_read.ts'
import { type CborMap, type CborValue, decodeCbor, encodeCbor } from './cbor.ts'
import { type CardProfile, decodeProfile, encodeProfile } from './profile.ts'

export type { CardProfile }
export { CardCodecError }

/** The largest card the CardRegistry accepts (DESIGN §2). */
export const MAX_CARD_BYTES = 4096
/** Kinds by wire index (`k`); new kinds go at the end. `profile` names its creator (./profile.ts). */
export const CARD_KINDS = [
  'post',
  'image',
  'video',
  'audio',
  'doc',
  'software',
  'site',
  'profile',
] as const
export type CardKind = (typeof CARD_KINDS)[number]

export const LIMITS = {
  title: 200,
  text: 2000,
  tags: 10,
  tag: 32,
  lang: 35,
  excerpt: 280,
  placeholder: 64,
  image: 2048,
  name: 200,
  mime: 100,
  cipher: 32,
  entry: 200,
} as const

export type Hex = `0x${string}`

export type CardPreview = {
  /** ThumbHash of the image or poster frame (a ~25-byte blurred placeholder). */
  placeholder?: Uint8Array | undefined
  excerpt?: string | undefined
  /** A tiny inline image (≤ 2 KiB) while the preview torrent is not available. */
  image?: Uint8Array | undefined
  /** The unencrypted preview torrent (20 bytes, hex). */
  infoHash?: Hex | undefined
}

export type CardContent = {
  /** The ciphertext torrent (20 bytes, hex); absent until the swarm has seeded it. */
  infoHash?: Hex | undefined
  /** Merkle root of the ciphertext slices (32 bytes, hex). */
  contentRoot: Hex
  name: string
  mime: string
  size: number
  sliceSize: number
  /** 16 bytes, hex. */
  contentSalt: Hex
  /** e.g. `aes-256-gcm`. */
  cipher: string
}

export type CardAccess =
  | {
      free: true /** The content key (32 bytes, hex); absent for a post without content. */
      key?: Hex | undefined
    }
  | { free?: undefined; price: bigint; supply: number; royaltyBps: number; keyAgent: Hex }

/** A decoded, validated card. Optional fields are absent, never `undefined`-valued on decode. */
export type Card = {
  v: 1
  kind: CardKind
  title: string
  text?: string | undefined
  tags: string[]
  lang?: string | undefined
  /** Unix seconds, as claimed by the creator. */
  createdAt: number
  parent?: Hex | undefined
  preview?: CardPreview | undefined
  content?: CardContent | undefined
  access: CardAccess
  /** A packaged site (src/shared/site/archive.ts): its entry page and an optional fallback. */
  site?: { entry: string; fallback?: string | undefined } | undefined
  /** A profile card's profile (kind `profile` only). */
  profile?: CardProfile | undefined
}

const hex = (b: Uint8Array): Hex => `0x${bytesToHex(b)}`
const unhex = (h: Hex, n: number, field: string): Uint8Array => {
  const b = /^0x[0-9a-fA-F]*$/.test(h) ? hexToBytes(h.slice(2)) : null
  if (!b || b.length !== n) invalid(field, `expected ${n} bytes of hex`)
  return b as Uint8Array
}

/** Price in wei as a minimal big-endian byte string (uint256 range; 0 is empty). */
function priceBytes(wei: bigint): Uint8Array {
  if (wei < 0n || wei >= 2n ** 256n) invalid('access.price', 'expected 0 ≤ wei < 2^256')
  if (wei === 0n) return new Uint8Array()
  const h = wei.toString(16)
  return hexToBytes(h.length % 2 ? `0${h}` : h)
}

/** Encodes a card (validating it first); throws {@link CardCodecError}. */
export function encodeCard(card: Card): Uint8Array {
  const pv = card.preview
  const ct = card.content
  const a = card.access
  const wire: CborMap = {
    v: 1,
    k: CARD_KINDS.indexOf(card.kind),
    t: card.title,
    g: card.tags,
    c: card.createdAt,
    ac: a.free
      ? { f: true, ...(a.key ? { key: unhex(a.key, 32, 'access.key') } : {}) }
      : {
          p: priceBytes(a.price),
          s: a.supply,
          r: a.royaltyBps,
          a: unhex(a.keyAgent, 20, 'access.keyAgent'),
        },
  }
  if (card.text !== undefined) wire.x = card.text
  if (card.lang !== undefined) wire.l = card.lang
  if (card.parent !== undefined) wire.p = unhex(card.parent, 32, 'parent')
  if (pv) {
    const m: CborMap = {}
    if (pv.placeholder) m.h = pv.placeholder
    if (pv.excerpt !== undefined) m.e = pv.excerpt
    if (pv.image) m.i = pv.image
    if (pv.infoHash) m.ih = unhex(pv.infoHash, 20, 'preview.infoHash')
    wire.pv = m
  }
  if (ct) {
    wire.ct = {
      r: unhex(ct.contentRoot, 32, 'content.contentRoot'),
      n: ct.name,
      m: ct.mime,
      s: ct.size,
      z: ct.sliceSize,
      a: unhex(ct.contentSalt, 16, 'content.contentSalt'),
      c: ct.cipher,
      ...(ct.infoHash ? { i: unhex(ct.infoHash, 20, 'content.infoHash') } : {}),
    }
  }
  if (card.site)
    wire.st = {
      e: card.site.entry,
      ...(card.site.fallback !== undefined ? { f: card.site.fallback } : {}),
    }
  if (card.profile) wire.pf = encodeProfile(card.profile)
  const bytes = encodeCbor(wire)
  // Validate by decoding: one set of rules for what we write and what we accept.
  decodeCard(bytes)
  return bytes
}

/** keccak256 of the card bytes, hex: the id the CardRegistry gives the card. */
export function cardIdOf(bytes: Uint8Array): Hex {
  return hex(keccak_256(bytes))
}

// --- decoding and validation (the field readers are in ./_read.ts) ---

const hexOf = (b: Uint8Array | undefined): Hex | undefined => (b ? hex(b) : undefined)

/**
 * Parses and validates card bytes (≤ {@link MAX_CARD_BYTES}); throws {@link CardCodecError}
 * naming the field, never anything else.
 * @example const card = decodeCard(bytes); const id = cardIdOf(bytes)
 */
export function decodeCard(input: Uint8Array): Card {
  const root = decodeCbor(input, MAX_CARD_BYTES)
  if (typeof root !== 'object' || root instanceof Uint8Array || Array.isArray(root))
    invalid('(root)', 'expected a map')
  const r: Reader = { map: root as CborMap, path: '' }
  keysOnly(r, ['v', 'k', 't', 'x', 'g', 'l', 'c', 'p', 'pv', 'ct', 'ac', 'st', 'pf'])
  if (get(r, 'v', true) !== 1) invalid('v', 'unsupported version')
  const kind = CARD_KINDS[uint(r, 'k', CARD_KINDS.length - 1, true) as number] as CardKind
  const tagsRaw = get(r, 'g', true)
  if (!Array.isArray(tagsRaw) || tagsRaw.length > LIMITS.tags)
    invalid('g', `expected at most ${LIMITS.tags} tags`)
  const tags = (tagsRaw as CborValue[]).map((t, i) => {
    if (typeof t !== 'string' || t.length === 0 || [...t].length > LIMITS.tag)
      invalid(`g.${i}`, `expected 1…${LIMITS.tag} characters`)
    return t as string
  })
  const card: Card = {
    v: 1,
    kind,
    title: text(r, 't', LIMITS.title, true) as string,
    tags,
    createdAt: uint(r, 'c', 2 ** 40, true) as number,
    access: { free: true },
  }
  const x = text(r, 'x', LIMITS.text)
  if (x !== undefined) card.text = x
  const l = text(r, 'l', LIMITS.lang)
  if (l !== undefined) card.lang = l
  const p = hexOf(bytes(r, 'p', [32, 32]))
  if (p) card.parent = p
  const pv = sub(r, 'pv')
  if (pv) {
    keysOnly(pv, ['h', 'e', 'i', 'ih'])
    const preview: CardPreview = {}
    const h = bytes(pv, 'h', [1, LIMITS.placeholder])
    if (h) preview.placeholder = h
    const e = text(pv, 'e', LIMITS.excerpt)
    if (e !== undefined) preview.excerpt = e
    const i = bytes(pv, 'i', [1, LIMITS.image])
    if (i) preview.image = i
    const ih = hexOf(bytes(pv, 'ih', [20, 20]))
    if (ih) preview.infoHash = ih
    card.preview = preview
  }
  const ct = sub(r, 'ct')
  if (ct) {
    keysOnly(ct, ['i', 'r', 'n', 'm', 's', 'z', 'a', 'c'])
    const content: CardContent = {
      contentRoot: hexOf(bytes(ct, 'r', [32, 32], true)) as Hex,
      name: text(ct, 'n', LIMITS.name, true) as string,
      mime: text(ct, 'm', LIMITS.mime, true) as string,
      size: uint(ct, 's', Number.MAX_SAFE_INTEGER, true) as number,
      sliceSize: uint(ct, 'z', 2 ** 32, true) as number,
      contentSalt: hexOf(bytes(ct, 'a', [16, 16], true)) as Hex,
      cipher: text(ct, 'c', LIMITS.cipher, true) as string,
    }
    const i = hexOf(bytes(ct, 'i', [20, 20]))
    if (i) content.infoHash = i
    card.content = content
  }
  const ac = sub(r, 'ac', true) as Reader
  if (get(ac, 'f', false) !== undefined) {
    keysOnly(ac, ['f', 'key'])
    if (ac.map.f !== true) invalid('ac.f', 'expected true')
    const key = hexOf(bytes(ac, 'key', [32, 32]))
    card.access = key ? { free: true, key } : { free: true }
  } else {
    keysOnly(ac, ['p', 's', 'r', 'a'])
    const price = bytes(ac, 'p', [0, 32], true) as Uint8Array
    if (price[0] === 0) invalid('ac.p', 'leading zero byte')
    card.access = {
      price: price.length === 0 ? 0n : BigInt(hex(price)),
      supply: uint(ac, 's', 2 ** 32, true) as number,
      royaltyBps: uint(ac, 'r', 10_000, true) as number,
      keyAgent: hexOf(bytes(ac, 'a', [20, 20], true)) as Hex,
    }
  }
  const st = sub(r, 'st')
  if (st) {
    keysOnly(st, ['e', 'f'])
    card.site = { entry: text(st, 'e', LIMITS.entry, true) as string }
    const f = text(st, 'f', LIMITS.entry)
    if (f !== undefined) card.site.fallback = f
  }
  if (card.kind === 'site' && !card.site) invalid('st', 'a site card needs an entry')
  const pf = sub(r, 'pf')
  if (pf) card.profile = decodeProfile(pf)
  checkProfileCard(card)
  return card
}

/** A profile card carries its profile and nothing else; no other card carries one. */
function checkProfileCard(card: Card): void {
  if (card.kind !== 'profile') {
    if (card.profile) invalid('pf', 'only a profile card carries a profile')
    return
  }
  if (!card.profile) invalid('pf', 'a profile card needs its profile')
  const { v: _v, kind: _k, createdAt: _c, access, profile: _p, tags, title, ...rest } = card
  const extra = Object.keys(rest)[0]
  if (extra) invalid(extra, 'a profile card carries only its profile')
  if (title !== '' || tags.length > 0) invalid('t', 'a profile card has no title or tags')
  if (!access.free || access.key) invalid('ac', 'a profile card is free and carries no key')
}
