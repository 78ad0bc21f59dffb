import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CARD_KINDS, type CardKind } from '../../shared/card/card.ts'
import { stepIn, viewerOf, viewerPath } from './viewer.ts'

const ID = `0x${'ab'.repeat(32)}` as const
const content = (mime: string, name = 'file') => ({
  contentRoot: '0x00' as const,
  name,
  mime,
  size: 1,
  sliceSize: 65536,
  contentSalt: '0x00' as const,
  cipher: 'aes-256-gcm',
})

describe('viewerOf', () => {
  it('opens each kind of file in the viewer that decodes it', () => {
    expect(viewerOf({ kind: 'video', content: content('video/mp4') })).toBe('watch')
    expect(viewerOf({ kind: 'audio', content: content('audio/mp4') })).toBe('listen')
    expect(viewerOf({ kind: 'image', content: content('image/png') })).toBe('photo')
    expect(viewerOf({ kind: 'doc', content: content('text/plain') })).toBe('read')
    expect(viewerOf({ kind: 'doc', content: content('text/markdown; charset=utf-8') })).toBe('read')
    expect(viewerOf({ kind: 'doc', content: content('application/pdf') })).toBe('pdf')
    expect(viewerOf({ kind: 'doc', content: content('', 'paper.PDF') })).toBe('pdf')
    expect(viewerOf({ kind: 'software', content: content('application/zip') })).toBe('download')
    expect(viewerOf({ kind: 'site', content: content('application/zip') })).toBe('site')
    expect(viewerOf({ kind: 'post' })).toBe('post')
  })

  it('never opens a picture in the video player, whatever the card says it is', () => {
    expect(viewerOf({ kind: 'video', content: content('image/png') })).toBe('photo')
    expect(viewerOf({ kind: 'doc', content: content('video/mp4') })).toBe('watch')
    fc.assert(
      fc.property(
        fc.constantFrom(...CARD_KINDS.filter((k) => k !== 'software' && k !== 'site')),
        fc.constantFrom('png', 'jpeg', 'webp', 'gif', 'avif'),
        (kind: CardKind, sub) => {
          expect(viewerOf({ kind, content: content(`image/${sub}`) })).toBe('photo')
        },
      ),
    )
  })

  it('offers what the app does not show in place as a download', () => {
    for (const mime of ['text/html', 'image/svg+xml', 'text/javascript', 'application/xhtml+xml'])
      expect(viewerOf({ kind: 'doc', content: content(mime) })).toBe('download')
  })

  it('gives each viewer its path', () => {
    expect(viewerPath({ id: ID, card: { kind: 'video', content: content('video/webm') } })).toBe(
      `/watch/${ID}`,
    )
    expect(viewerPath({ id: ID, card: { kind: 'image', content: content('image/png') } })).toBe(
      `/photo/${ID}`,
    )
    expect(viewerPath({ id: ID, card: { kind: 'doc', content: content('application/pdf') } })).toBe(
      `/read/${ID}`,
    )
    expect(viewerPath({ id: ID, card: { kind: 'post' } })).toBe(`/card/${ID}`)
    expect(viewerPath({ id: ID, card: { kind: 'site', content: content('x/y') } })).toBe(
      `/site/${ID}`,
    )
    expect(viewerPath({ id: ID, card: { kind: 'software', content: content('x/y') } })).toBe(
      `/play/${ID}`,
    )
  })
})

describe('stepIn', () => {
  const items = ['a', 'b', 'c', 'd'].map((id) => ({ id }))

  it('steps forward and back among the accepted items, wrapping around', () => {
    expect(stepIn(items, 'b', 1)?.id).toBe('c')
    expect(stepIn(items, 'd', 1)?.id).toBe('a')
    expect(stepIn(items, 'a', -1)?.id).toBe('d')
    expect(stepIn(items, 'a', 1, (c) => c.id !== 'b')?.id).toBe('c')
    expect(stepIn(items, 'x', 1)?.id).toBe('a')
    expect(stepIn(items, 'x', -1)?.id).toBe('d')
    expect(stepIn([{ id: 'a' }], 'a', 1)).toBeNull()
    expect(stepIn([], 'a', 1)).toBeNull()
  })

  it('never returns the current item, and returns one whenever another is accepted', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 20 }),
        fc.string({ minLength: 1, maxLength: 3 }),
        fc.constantFrom(1 as const, -1 as const),
        (ids, current, step) => {
          const list = ids.map((id) => ({ id }))
          const got = stepIn(list, current, step)
          if (ids.some((id) => id !== current)) expect(got?.id).not.toBe(current)
          else expect(got).toBeNull()
          // Forward then back returns to where it started (within the list).
          if (got && ids.includes(current))
            expect(stepIn(list, got.id, step === 1 ? -1 : 1)?.id).toBe(current)
        },
      ),
    )
  })
})
