/**
 * Valid cards of every kind and shape the codec carries, for the card tests and the card fuzz
 * target (fuzz/targets/card.ts). Absent optional fields are left out, as the decoder does.
 */
import fc from 'fast-check'
import { CARD_KINDS, type Card, LIMITS } from './card.ts'
import { type CardProfile, isWebLink, PROFILE_LIMITS, profileCard } from './profile.ts'

export const hexN = (n: number) =>
  fc
    .uint8Array({ minLength: n, maxLength: n })
    .map((b) => `0x${Buffer.from(b).toString('hex')}` as const)
export const str = (max: number) => fc.string({ unit: 'binary', maxLength: max })
export const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined })

/** Valid profiles (shared/card/profile.ts): any name a person may type, http(s) links. */
export const profileArb: fc.Arbitrary<CardProfile> = fc
  .record({
    name: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: PROFILE_LIMITS.name })
      .filter((n) => n.trim() !== '' && !/\p{Cc}/u.test(n) && [...n].length <= PROFILE_LIMITS.name),
    bio: opt(fc.string({ unit: 'binary', maxLength: PROFILE_LIMITS.bio })),
    avatar: opt(fc.uint8Array({ minLength: 1, maxLength: PROFILE_LIMITS.avatar })),
    links: fc.array(fc.webUrl({ validSchemes: ['http', 'https'] }).filter(isWebLink), {
      maxLength: PROFILE_LIMITS.links,
    }),
  })
  .map((p) => withoutUndefined(p) as CardProfile)

/** Valid cards of every kind but `profile` (a profile card carries nothing else). */
export const contentCardArb: fc.Arbitrary<Card> = fc
  .record({
    kind: fc.constantFrom(...CARD_KINDS.filter((k) => k !== 'profile')),
    title: str(40),
    text: opt(str(120)),
    tags: fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: LIMITS.tags }),
    lang: opt(fc.constantFrom('en', 'pt-BR', 'zh-Hant-TW')),
    createdAt: fc.integer({ min: 0, max: 2 ** 40 }),
    parent: opt(hexN(32)),
    preview: opt(
      fc.record({
        placeholder: opt(fc.uint8Array({ minLength: 1, maxLength: 30 })),
        excerpt: opt(str(60)),
        image: opt(fc.uint8Array({ minLength: 1, maxLength: 64 })),
        infoHash: opt(hexN(20)),
      }),
    ),
    content: opt(
      fc.record({
        contentRoot: hexN(32),
        name: str(30),
        mime: fc.constantFrom('video/mp4', 'image/png', 'application/x-hashcard-site'),
        size: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
        sliceSize: fc.constantFrom(65536, 262144, 2 ** 32),
        contentSalt: hexN(16),
        cipher: fc.constant('aes-256-gcm'),
        infoHash: opt(hexN(20)),
      }),
    ),
    access: fc.oneof(
      fc.record({ free: fc.constant(true as const), key: opt(hexN(32)) }),
      fc.record({
        price: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.constant(0n)),
        supply: fc.nat({ max: 2 ** 32 }),
        royaltyBps: fc.nat({ max: 10_000 }),
        keyAgent: hexN(20),
      }),
    ),
    site: opt(
      fc.record({
        entry: fc.string({ minLength: 1, maxLength: 20 }),
        fallback: opt(fc.string({ maxLength: 20 })),
      }),
    ),
  })
  .map((r) => {
    const card = { v: 1, ...r } as Card
    if (card.kind === 'site' && !card.site) card.site = { entry: 'index.html' }
    return withoutUndefined(card) as Card
  })

/** Valid cards of every kind and shape the codec carries, profile cards among them. */
export const cardArb: fc.Arbitrary<Card> = fc.oneof(
  { weight: 6, arbitrary: contentCardArb },
  {
    weight: 1,
    arbitrary: fc
      .tuple(profileArb, fc.integer({ min: 0, max: 2 ** 40 }))
      .map(([p, at]) => profileCard(p, at)),
  },
)

/**
 * Drops absent optional fields, as the decoder never returns them, keeping bigints and byte
 * arrays as they are.
 */
export function withoutUndefined(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v)) return v
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, withoutUndefined(x)]),
  )
}
