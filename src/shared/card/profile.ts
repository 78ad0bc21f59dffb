/**
 * The profile card (issue #18, "People"): a card of kind `profile` that names its creator. It
 * is signed and posted like any card; for each address the newest one wins, in chain order
 * (src/node/feed/profiles.ts). Wire form, under the card's `pf` key:
 *
 * | key | field | wire type | limit |
 * |---|---|---|---|
 * | n | name | text | 1…64 characters, no control characters |
 * | b | bio | text | ≤ 500 characters |
 * | a | avatar | bytes (a WebP the page made, ≤ 96 px square) | ≤ 2,048 bytes |
 * | u | links | array of text | ≤ 5, each an http(s) URL of ≤ 200 characters |
 *
 * The avatar is inline, not a torrent: it is shown beside every byline, so it must be there
 * with the card, at once and without a peer; 2 KiB (≈ 82k gas under EIP-7623) is what a
 * 96 px WebP needs and the same bound as a card's inline preview image. A profile card
 * carries nothing else: its title is empty, it has no text, tags, parent, preview, content or
 * site, and its access is free with no key.
 */
import { bytes, get, invalid, keysOnly, type Reader, text } from './_read.ts'
import type { Card } from './card.ts'
import type { CborMap } from './cbor.ts'

export const PROFILE_LIMITS = {
  name: 64,
  bio: 500,
  links: 5,
  link: 200,
  /** Bytes of the inline avatar image. */
  avatar: 2048,
} as const

export type CardProfile = {
  name: string
  bio?: string | undefined
  /** A small square image (WebP), inline. */
  avatar?: Uint8Array | undefined
  /** http(s) URLs; empty when there are none. */
  links: string[]
}

const chars = (s: string) => [...s].length

/**
 * Whether `s` is an absolute http or https URL (no spaces, no control characters): the only
 * links a profile may carry, so a `javascript:` or `data:` link can never reach an `href`.
 */
export function isWebLink(s: string): boolean {
  if (chars(s) > PROFILE_LIMITS.link || !/^https?:\/\/[^\s\p{Cc}]+$/iu.test(s)) return false
  try {
    const u = new URL(s)
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== ''
  } catch {
    return false
  }
}

/**
 * The first thing wrong with a profile, as a sentence with the field it concerns, or null.
 * The one set of rules: the decoder refuses what this names, and the edit form shows it.
 * @example profileProblem({ name: '', links: [] }) // { field: 'pf.n', message: 'A profile needs a name.' }
 */
export function profileProblem(p: CardProfile): { field: string; message: string } | null {
  const name = p.name
  if (name.trim() === '') return { field: 'pf.n', message: 'A profile needs a name.' }
  if (chars(name) > PROFILE_LIMITS.name)
    return {
      field: 'pf.n',
      message: `The name is longer than ${PROFILE_LIMITS.name} characters.`,
    }
  if (/\p{Cc}/u.test(name))
    return { field: 'pf.n', message: 'The name cannot hold line breaks or control characters.' }
  if (p.bio !== undefined && chars(p.bio) > PROFILE_LIMITS.bio)
    return { field: 'pf.b', message: `The bio is longer than ${PROFILE_LIMITS.bio} characters.` }
  if (p.avatar !== undefined && (p.avatar.length === 0 || p.avatar.length > PROFILE_LIMITS.avatar))
    return {
      field: 'pf.a',
      message: `The avatar must be 1 to ${PROFILE_LIMITS.avatar} bytes.`,
    }
  if (p.links.length > PROFILE_LIMITS.links)
    return { field: 'pf.u', message: `At most ${PROFILE_LIMITS.links} links.` }
  for (const [i, link] of p.links.entries())
    if (!isWebLink(link))
      return {
        field: `pf.u.${i}`,
        message: `Link ${i + 1} is not an http:// or https:// address of at most ${PROFILE_LIMITS.link} characters.`,
      }
  return null
}

/** The profile's wire map (`pf`); the caller validates by decoding, as for any card. */
export function encodeProfile(p: CardProfile): CborMap {
  const m: CborMap = { n: p.name }
  if (p.bio !== undefined) m.b = p.bio
  if (p.avatar !== undefined) m.a = p.avatar
  if (p.links.length > 0) m.u = p.links
  return m
}

/** Reads and validates a `pf` map; throws CardCodecError naming the field. */
export function decodeProfile(r: Reader): CardProfile {
  keysOnly(r, ['n', 'b', 'a', 'u'])
  // Generous type bounds first (a hostile card never makes us walk a huge string twice),
  // then the profile's own rules.
  const p: CardProfile = { name: text(r, 'n', PROFILE_LIMITS.name, true) as string, links: [] }
  const bio = text(r, 'b', PROFILE_LIMITS.bio)
  if (bio !== undefined) p.bio = bio
  const avatar = bytes(r, 'a', [1, PROFILE_LIMITS.avatar])
  if (avatar) p.avatar = avatar
  const u = get(r, 'u', false)
  if (u !== undefined) {
    if (!Array.isArray(u) || u.length > PROFILE_LIMITS.links)
      invalid(`${r.path}u`, `expected at most ${PROFILE_LIMITS.links} links`)
    p.links = u.map((link, i) =>
      typeof link === 'string' ? link : invalid(`${r.path}u.${i}`, 'expected text'),
    )
  }
  const problem = profileProblem(p)
  if (problem) invalid(problem.field, problem.message)
  return p
}

/**
 * The profile card of a profile: empty title, no tags, free, nothing else.
 * @example encodeCard(profileCard({ name: 'Ada', links: [] }, Math.floor(Date.now() / 1000)))
 */
export function profileCard(profile: CardProfile, createdAt: number): Card {
  return { v: 1, kind: 'profile', title: '', tags: [], createdAt, access: { free: true }, profile }
}
