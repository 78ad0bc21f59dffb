import { describe, expect, it } from 'vitest'
import { servedType } from '../shared/servedType.ts'
import { attachment, contentHeaders, securityHeaders } from './contentHeaders.ts'

const DOWNLOAD = { type: 'application/octet-stream', inline: false }

describe('servedType (the mime policy table)', () => {
  it.each([
    'text/html',
    'text/html; charset=utf-8',
    'TEXT/HTML',
    'Text/Html; Charset=UTF-8',
    ' text/html ',
    'application/xhtml+xml',
    'application/xml',
    'text/xml',
    'image/svg+xml',
    'IMAGE/SVG+XML; charset=utf-8',
    'text/javascript',
    'application/javascript',
    'application/ecmascript',
    'text/ecmascript',
    'application/wasm',
    'application/pdf',
    'application/json',
    'application/octet-stream',
    'multipart/x-mixed-replace',
    'text/css',
    'text/xsl',
    'image/x-unknown',
    '',
    'html',
    'text/',
    '/html',
    'text/plain/html',
    'text/plain, text/html',
    'video/mp4\ntext/html',
  ])('%j is a download, never inline', (mime) => {
    expect(servedType(mime)).toEqual(DOWNLOAD)
  })

  it('serves no type at all as a download', () => {
    expect(servedType(undefined)).toEqual(DOWNLOAD)
    expect(servedType(null)).toEqual(DOWNLOAD)
  })

  it.each([
    ['video/mp4', 'video/mp4'],
    ['VIDEO/WebM', 'video/webm'],
    ['video/mp4; codecs="avc1.42E01E"', 'video/mp4'],
    ['audio/mpeg', 'audio/mpeg'],
    ['audio/ogg; codecs=opus', 'audio/ogg'],
    ['image/png', 'image/png'],
    ['image/JPEG', 'image/jpeg'],
    ['image/webp', 'image/webp'],
    ['image/gif', 'image/gif'],
    ['image/avif', 'image/avif'],
    ['text/vtt', 'text/vtt'],
  ])('%j plays or shows as %j', (mime, type) => {
    expect(servedType(mime)).toEqual({ type, inline: true })
  })

  it.each([
    ['text/plain', 'text/plain; charset=utf-8'],
    ['TEXT/PLAIN', 'text/plain; charset=utf-8'],
    ['text/plain; charset=ISO-8859-1', 'text/plain; charset=iso-8859-1'],
    ['text/plain;charset="utf-16"', 'text/plain; charset=utf-16'],
    ['text/plain; charset=utf-8; x=<script>', 'text/plain; charset=utf-8'],
    ['text/plain; charset=a"b<c>', 'text/plain; charset=utf-8'],
    ['text/markdown', 'text/plain; charset=utf-8'],
    ['text/csv; charset=utf-8', 'text/plain; charset=utf-8'],
  ])('text %j shows as %j', (mime, type) => {
    expect(servedType(mime)).toEqual({ type, inline: true })
  })
})

describe('contentHeaders', () => {
  const security = {
    'content-security-policy': 'sandbox',
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
  }
  const of = (h: Headers) => Object.fromEntries(h.entries())

  it('sandboxes every response, with no type for pages the SW writes itself', () => {
    expect(of(contentHeaders())).toEqual({ ...security, 'cache-control': 'no-store' })
  })

  it('serves media inline, with no disposition', () => {
    const h = of(contentHeaders({ mime: 'video/mp4', name: 'a.mp4' }))
    expect(h).toMatchObject({ ...security, 'content-type': 'video/mp4' })
    expect(h['content-disposition']).toBeUndefined()
  })

  it('serves HTML as a download of bytes, still sandboxed', () => {
    const h = of(contentHeaders({ mime: 'text/html; charset=utf-8', name: 'page.html' }))
    expect(h).toMatchObject({
      ...security,
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="page.html"; filename*=UTF-8''page.html`,
    })
  })

  it('never grants content allow-same-origin; a site keeps its own origin (never the app one)', () => {
    expect(securityHeaders('content')['content-security-policy']).toBe('sandbox')
    // Only the site Service Worker (src/sw/site/), on a site's own subdomain, uses it.
    expect(securityHeaders('site')['content-security-policy']).toBe(
      'sandbox allow-scripts allow-forms allow-popups allow-same-origin',
    )
    expect(securityHeaders('site')['content-security-policy']).not.toContain('allow-top-navigation')
  })
})

describe('attachment', () => {
  it('keeps hostile names out of the header', () => {
    const h = attachment('a"; filename="evil.html\r\nx: y')
    expect(h).not.toMatch(/[\r\n]/)
    expect(h.startsWith('attachment; filename="a__ filename__evil.html__x_ y"; ')).toBe(true)
    expect(h).toContain(`filename*=UTF-8''${encodeURIComponent('a"; filename="evil.html\r\nx: y')}`)
  })

  it('names a nameless download', () => {
    expect(attachment(undefined)).toBe('attachment; filename="download"')
    expect(attachment('')).toBe('attachment; filename="download"')
  })
})
