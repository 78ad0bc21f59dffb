import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { APP_PATH_PREFIXES, isAppPath } from './app-paths.ts'

describe('app paths', () => {
  it('covers every view in the routes table', () => {
    const routes = readFileSync(new URL('../ui/routes.ts', import.meta.url), 'utf8')
    const prefixes = [...routes.matchAll(/pattern: \/\^\\\/([a-z]+)/g)].map((m) => m[1])
    expect(prefixes.length).toBeGreaterThan(3)
    for (const prefix of prefixes) expect(APP_PATH_PREFIXES).toContain(prefix)
  })

  it('accepts app views and refuses assets and content paths', () => {
    expect(isAppPath('/')).toBe(true)
    expect(isAppPath('/wallet')).toBe(true)
    expect(isAppPath('/earnings')).toBe(true)
    expect(isAppPath('/spending/')).toBe(true)
    expect(isAppPath('/card/0xabc')).toBe(true)
    expect(isAppPath('/settings/backup')).toBe(true)
    expect(isAppPath('/assets/index.js')).toBe(false)
    expect(isAppPath('/c/0xabc')).toBe(false)
    expect(isAppPath('/wallets')).toBe(false)
  })
})
