import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CardCodecError } from '../errors/card.ts'
import { profileArb } from './_arbitrary.ts'
import { type Card, cardIdOf, decodeCard, encodeCard } from './card.ts'
import { encodeCbor } from './cbor.ts'
import { type CardProfile, profileCard as cardOf, profileProblem } from './profile.ts'

const profileCard = (profile: CardProfile, createdAt = 1_790_000_000): Card =>
  cardOf(profile, createdAt)

/** The decoder's reason (CardCodecError details) for refusing `card`. */
function refusal(card: Card): string {
  try {
    encodeCard(card)
  } catch (err) {
    expect(err).toBeInstanceOf(CardCodecError)
    return (err as CardCodecError).details ?? ''
  }
  throw new Error('accepted')
}

describe('profile card', () => {
  it('decode(encode(card)) = card, with the same id', () => {
    fc.assert(
      fc.property(profileArb, fc.integer({ min: 0, max: 2 ** 40 }), (profile, at) => {
        const card = profileCard(profile, at)
        const bytes = encodeCard(card)
        const back = decodeCard(bytes)
        expect(back).toEqual(card)
        expect(cardIdOf(encodeCard(back))).toBe(cardIdOf(bytes))
      }),
      { numRuns: 200 },
    )
  })

  it('a name and two links fit a small card (gas)', () => {
    const bytes = encodeCard(
      profileCard({ name: 'Ada', links: ['https://ada.example', 'https://x.example/ada'] }),
    )
    expect(bytes.length).toBeLessThanOrEqual(90)
  })

  it('refuses what is too long, empty, or not an http(s) link, naming the field', () => {
    const ok: CardProfile = { name: 'Ada', links: [] }
    expect(refusal(profileCard({ ...ok, name: 'a'.repeat(65) }))).toMatch(/pf\.n: .*longer than 64/)
    expect(refusal(profileCard({ ...ok, name: '  ' }))).toMatch(/needs a name/)
    expect(refusal(profileCard({ ...ok, name: 'Ada\nLovelace' }))).toMatch(/pf\.n: .*line breaks/)
    expect(refusal(profileCard({ ...ok, bio: 'b'.repeat(501) }))).toMatch(
      /pf\.b: .*longer than 500/,
    )
    const six = Array.from({ length: 6 }, (_, i) => `https://x.example/${i}`)
    expect(refusal(profileCard({ ...ok, links: six }))).toMatch(/pf\.u: .*at most 5/)
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,<b>x</b>',
      'ftp://x.example/',
      'https://',
      'https://x.example/a b',
      ' https://x.example/',
      `https://x.example/${'a'.repeat(200)}`,
    ])
      expect(refusal(profileCard({ ...ok, links: ['https://fine.example', bad] }))).toMatch(
        /pf\.u\.1: Link 2 is not an http/,
      )
    expect(refusal(profileCard({ ...ok, avatar: new Uint8Array(2049) }))).toMatch(/pf\.a/)
    // 64 characters are fine however many bytes they take.
    expect(() => encodeCard(profileCard({ ...ok, name: '🦊'.repeat(64) }))).not.toThrow()
  })

  it('the form and the decoder share one set of rules', () => {
    expect(profileProblem({ name: 'Ada', links: ['http://a.example'] })).toBeNull()
    expect(profileProblem({ name: 'Ada', links: ['mailto:a@b.c'] })?.message).toBe(
      'Link 1 is not an http:// or https:// address of at most 200 characters.',
    )
  })

  it('a profile card carries only its profile; other cards carry none', () => {
    const p: CardProfile = { name: 'Ada', links: [] }
    expect(refusal({ ...profileCard(p), title: 'x' })).toMatch(/^t: /)
    expect(refusal({ ...profileCard(p), text: 'x' })).toMatch(/^text: /)
    expect(refusal({ ...profileCard(p), parent: `0x${'11'.repeat(32)}` })).toMatch(/^parent: /)
    expect(
      refusal({
        ...profileCard(p),
        access: { price: 1n, supply: 0, royaltyBps: 0, keyAgent: `0x${'22'.repeat(20)}` },
      }),
    ).toMatch(/^ac: /)
    const { profile: _, ...bare } = profileCard(p)
    expect(refusal(bare)).toMatch(/pf: a profile card needs its profile/)
    expect(refusal({ ...profileCard(p), kind: 'post' })).toMatch(/only a profile card/)
  })

  it('hostile wire forms are refused with CardCodecError', () => {
    const wire = (pf: Parameters<typeof encodeCbor>[0]) =>
      encodeCbor({ v: 1, k: 7, t: '', g: [], c: 1, ac: { f: true }, pf })
    expect(() => decodeCard(wire({ n: 'A', u: 'https://x.example' }))).toThrow(
      /pf\.u: expected at most 5/,
    )
    expect(() => decodeCard(wire({ n: 'A', u: [7] }))).toThrow(/pf\.u\.0: expected text/)
    expect(() => decodeCard(wire({ n: 'A', z: 1 }))).toThrow(/pf\.z: unknown field/)
    expect(() => decodeCard(wire({ b: 'no name' }))).toThrow(/pf\.n: missing/)
    fc.assert(
      fc.property(profileArb, fc.nat(), fc.integer({ min: 0, max: 255 }), (p, at, b) => {
        const bytes = encodeCard(profileCard(p))
        bytes[at % bytes.length] = b
        try {
          decodeCard(bytes)
        } catch (err) {
          expect(err).toBeInstanceOf(CardCodecError)
        }
      }),
    )
  })
})
