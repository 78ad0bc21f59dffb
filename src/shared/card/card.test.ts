import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CardCodecError } from '../errors/card.ts'
import { CARD_KINDS, type Card, cardIdOf, decodeCard, encodeCard, MAX_CARD_BYTES } from './card.ts'

const hexN = (n: number) =>
  fc
    .uint8Array({ minLength: n, maxLength: n })
    .map((b) => `0x${Buffer.from(b).toString('hex')}` as const)
const str = (max: number) => fc.string({ unit: 'binary', maxLength: max })
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

const cardArb: fc.Arbitrary<Card> = fc
  .record({
    kind: fc.constantFrom(...CARD_KINDS.filter((k) => k !== 'site')),
    title: str(40),
    text: opt(str(200)),
    tags: fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 5 }),
    lang: opt(fc.constantFrom('en', 'fr', 'pt-BR')),
    createdAt: fc.integer({ min: 0, max: 2 ** 40 }),
    parent: opt(hexN(32)),
    preview: opt(
      fc.record({
        placeholder: opt(fc.uint8Array({ minLength: 1, maxLength: 30 })),
        excerpt: opt(str(100)),
        infoHash: opt(hexN(20)),
      }),
    ),
    content: opt(
      fc.record({
        contentRoot: hexN(32),
        name: str(30),
        mime: fc.constantFrom('video/mp4', 'image/png'),
        size: fc.nat(),
        sliceSize: fc.constantFrom(65536, 262144),
        contentSalt: hexN(16),
        cipher: fc.constant('aes-256-gcm'),
        infoHash: opt(hexN(20)),
      }),
    ),
    access: fc.oneof(
      fc.record({ free: fc.constant(true as const), key: opt(hexN(32)) }),
      fc.record({
        price: fc.bigInt({ min: 0n, max: 2n ** 128n }),
        supply: fc.nat({ max: 1000 }),
        royaltyBps: fc.nat({ max: 10_000 }),
        keyAgent: hexN(20),
      }),
    ),
  })
  .map((r) => withoutUndefined({ v: 1, ...r }) as Card)

/**
 * Drops absent optional fields, as the decoder never returns them, keeping bigints and byte
 * arrays as they are. (A JSON round trip would also turn a generated tag such as "2n" into a
 * bigint.)
 */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined)
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  )
}

describe('card codec', () => {
  it('a site card carries its entry and optional fallback', () => {
    fc.assert(
      fc.property(
        cardArb,
        str(60).filter((s) => s.length > 0),
        opt(str(60)),
        (base, entry, fallback) => {
          const card: Card = {
            ...base,
            kind: 'site',
            site: fallback === undefined ? { entry } : { entry, fallback },
          }
          expect(decodeCard(encodeCard(card))).toEqual(card)
        },
      ),
      { numRuns: 100 },
    )
    const { site: _, ...bare } = decodeCard(
      encodeCard({
        v: 1,
        kind: 'site',
        title: 's',
        tags: [],
        createdAt: 1,
        access: { free: true },
        site: { entry: 'a' },
      }),
    )
    expect(() => encodeCard({ ...bare, kind: 'site' })).toThrow(CardCodecError)
  })

  it('decode(encode(card)) = card, with the same id', () => {
    fc.assert(
      fc.property(cardArb, (card) => {
        const bytes = encodeCard(card)
        const back = decodeCard(bytes)
        expect(back).toEqual(card)
        const again = encodeCard(back)
        expect(cardIdOf(again)).toBe(cardIdOf(bytes))
      }),
      { numRuns: 300 },
    )
  })

  it('random bytes never throw anything but CardCodecError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeCard(bytes)
        } catch (err) {
          expect(err).toBeInstanceOf(CardCodecError)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('mutated valid cards never throw anything but CardCodecError', () => {
    fc.assert(
      fc.property(cardArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (card, at, b) => {
        const bytes = encodeCard(card)
        bytes[at % bytes.length] = b
        try {
          decodeCard(bytes)
        } catch (err) {
          expect(err).toBeInstanceOf(CardCodecError)
        }
      }),
    )
  })

  it('a short post is compact', () => {
    const bytes = encodeCard({
      v: 1,
      kind: 'post',
      title: 'Hello',
      text: 'First post',
      tags: ['hi'],
      createdAt: 1_790_000_000,
      access: { free: true },
    })
    expect(bytes.length).toBeLessThanOrEqual(48)
  })

  it('refuses non-deterministic or hostile forms with readable reasons', () => {
    const ok = encodeCard({
      v: 1,
      kind: 'post',
      title: 'x',
      tags: [],
      createdAt: 1,
      access: { free: true },
    })
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(MAX_CARD_BYTES + 1), /too large/],
      [Uint8Array.from([...ok, 0]), /trailing bytes/],
      [Uint8Array.from([0x18, 0x05]), /non-shortest/],
      [Uint8Array.from([0xfb, 0, 0, 0, 0, 0, 0, 0, 0]), /simple value/],
      [Uint8Array.from([0xc2, 0x40]), /major type 6/],
      [Uint8Array.from([0x5f]), /additional info 31/],
      [Uint8Array.from([0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x01]), /unsorted/],
      [Uint8Array.from([0x81, 0x01]), /expected a map/],
    ]
    for (const [bytes, msg] of cases) {
      expect(() => decodeCard(bytes)).toThrow(CardCodecError)
      try {
        decodeCard(bytes)
      } catch (err) {
        expect((err as Error).message).toMatch(msg)
      }
    }
    const longTitle = {
      v: 1,
      kind: 'post',
      title: 'a'.repeat(201),
      tags: [],
      createdAt: 1,
      access: { free: true },
    } as Card
    expect(() => encodeCard(longTitle)).toThrow(/t: longer than 200/)
    const unknownKind = Uint8Array.from(ok)
    unknownKind[ok.indexOf(0x6b) + 1] = 0x09 // k: 9
    expect(() => decodeCard(unknownKind)).toThrow(/k: expected 0…6/)
  })
})
