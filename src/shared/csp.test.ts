import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { APP_CSP, appShellHeaders } from './csp.ts'

describe('the app shell CSP', () => {
  it('is the one index.html carries in its <meta>', () => {
    const html = readFileSync(join(import.meta.dirname, '..', '..', 'index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1]
    expect(meta).toBe(APP_CSP)
  })

  it('runs no inline script, no plugins, no <base>, and lets only embeds be framed', () => {
    expect(/script-src [^;]*'unsafe-inline'/.test(APP_CSP)).toBe(false)
    expect(/script-src [^;]*'unsafe-eval'/.test(APP_CSP)).toBe(false)
    expect(APP_CSP).toContain("object-src 'none'")
    expect(APP_CSP).toContain("base-uri 'none'")
    expect(appShellHeaders('/feed')['content-security-policy']).toMatch(/frame-ancestors 'none'$/)
    expect(appShellHeaders('/embed/0x12')['content-security-policy']).toMatch(/frame-ancestors \*$/)
    expect(appShellHeaders('/embedded')['content-security-policy']).toMatch(/'none'$/)
  })
})
