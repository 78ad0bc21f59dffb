import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { APP_CSP, appCsp, appShellHeaders, connectSourcesOf, PERMISSIONS_POLICY } from './csp.ts'

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

  it('narrows connect-src to the relay, its tracker and the RPC the config names', () => {
    const sources = connectSourcesOf({
      relay: {
        multiaddrs: [
          '/ip4/127.0.0.1/tcp/8081/ws/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
          '/ip6/::1/tcp/8081/ws',
          '/dns4/relay.example.org/tcp/443/tls/ws/p2p/12D3KooW',
          '/dns4/relay.example.org/tcp/443/wss',
          '/ip4/1.2.3.4/udp/1/quic-v1',
        ],
        tracker: 'ws://127.0.0.1:8082',
      },
      chain: { rpcUrl: 'http://127.0.0.1:8545/' },
    })
    expect(sources).toEqual([
      'ws://127.0.0.1:8081',
      'ws://[::1]:8081',
      'wss://relay.example.org',
      'ws://127.0.0.1:8082',
      'http://127.0.0.1:8545',
    ])
    const csp = appCsp(sources)
    expect(/connect-src ([^;]*)/.exec(csp)?.[1]).toBe(`'self' ${sources.join(' ')}`)
    expect(csp.replace(/connect-src [^;]*/, '')).toBe(APP_CSP.replace(/connect-src [^;]*/, ''))
    expect(connectSourcesOf({ relay: { multiaddrs: [], tracker: 'nope' }, chain: null })).toEqual(
      [],
    )
  })

  it('sends a Permissions-Policy that denies what the app does not use', () => {
    const headers = appShellHeaders('/', appCsp(['ws://127.0.0.1:1']))
    expect(headers['permissions-policy']).toBe(PERMISSIONS_POLICY)
    for (const denied of ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'serial'])
      expect(PERMISSIONS_POLICY).toContain(`${denied}=()`)
    for (const kept of ['autoplay', 'fullscreen', 'picture-in-picture', 'clipboard-write'])
      expect(PERMISSIONS_POLICY).toContain(`${kept}=(self)`)
    // A cached shell's CSP keeps its connect-src; only frame-ancestors follows the route.
    const embed = appShellHeaders('/embed/0x1', headers['content-security-policy'])
    expect(embed['content-security-policy']).toContain("connect-src 'self' ws://127.0.0.1:1;")
    expect(embed['content-security-policy']).toMatch(/; frame-ancestors \*$/)
    expect(embed['content-security-policy']?.match(/frame-ancestors/g)).toHaveLength(1)
  })
})
