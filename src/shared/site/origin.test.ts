import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  appOriginOf,
  cardIdOfLabel,
  isSiteHost,
  siteLabel,
  siteOrigin,
  sitesUnavailable,
} from './origin.ts'

const cardId = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => `0x${Buffer.from(b).toString('hex')}`)

describe('site origins', () => {
  it('a card id and its 52-character label map one to one', () => {
    fc.assert(
      fc.property(cardId, (id) => {
        const label = siteLabel(id)
        expect(label).toMatch(/^[a-z2-7]{52}$/)
        expect(cardIdOfLabel(label)).toBe(id)
      }),
    )
    expect(siteLabel(`0x${'00'.repeat(32)}`)).toBe('a'.repeat(52))
    // RFC 4648 test vector, as one byte: "f" → "my".
    expect(siteLabel(`0x66${'00'.repeat(31)}`).slice(0, 2)).toBe('my')
    // A label whose spare bits are set names no card (only one label per card).
    expect(cardIdOfLabel(`${'a'.repeat(51)}b`)).toBeNull()
    expect(cardIdOfLabel('www')).toBeNull()
    expect(() => siteLabel('0x12')).toThrow(RangeError)
  })

  it('builds the site origin under the app host and back', () => {
    const id = `0x${'ab'.repeat(32)}`
    const origin = siteOrigin({ protocol: 'http:', host: 'hashcard.localhost:8080' }, id)
    const u = new URL(origin)
    expect(u.port).toBe('8080')
    expect(isSiteHost(u.hostname)).toBe(true)
    expect(isSiteHost('hashcard.localhost')).toBe(false)
    expect(appOriginOf(u)).toBe('http://hashcard.localhost:8080')
  })

  it('says why sites cannot run at an IP address or a bare host', () => {
    expect(sitesUnavailable('127.0.0.1')).toMatch(/host name/)
    expect(sitesUnavailable('localhost')).toMatch(/hashcard.localhost/)
    expect(sitesUnavailable('hashcard.localhost')).toBeNull()
    expect(sitesUnavailable('hashcard.example')).toBeNull()
  })
})
