import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CardCodecError } from '../errors/card.ts'
import { cardArb, contentCardArb, opt, str } from './_arbitrary.ts'
import { type Card, cardIdOf, decodeCard, encodeCard, MAX_CARD_BYTES } from './card.ts'

describe('card codec', () => {
  it('a site card carries its entry and optional fallback', () => {
    fc.assert(
      fc.property(
        contentCardArb,
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
    expect(() => decodeCard(unknownKind)).toThrow(/k: expected 0…7/)
  })
})
