import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { isZip, zipFinds } from './zipPreview.ts'

const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3)

describe('zipFinds', () => {
  it('finds the README and a screenshot, and nothing else', async () => {
    const zip = zipSync({
      'app/src/main.js': strToU8('console.log(1)'.repeat(1000)),
      'app/README.md': strToU8('# My app\n\nDoes things.'),
      'app/docs/screenshots/screenshot-1.png': [png, { level: 0 }],
      'app/docs/deep/README.md': strToU8('not this one'),
    })
    const finds = await zipFinds(new Blob([zip], { type: 'application/zip' }))
    expect(new TextDecoder().decode(finds.readme)).toBe('# My app\n\nDoes things.')
    expect(finds.screenshot?.name).toBe('app/docs/screenshots/screenshot-1.png')
    expect(finds.screenshot?.bytes).toEqual(png)
  })

  it('finds nothing in an archive without them or in bytes that are no ZIP', async () => {
    const zip = zipSync({ 'a.txt': strToU8('a') })
    expect(await zipFinds(new Blob([zip]))).toEqual({})
    expect(await zipFinds(new Blob([Uint8Array.of(1, 2, 3, 4, 5)]))).toEqual({})
  })

  it('recognises ZIPs by type or name', () => {
    expect(isZip(new File([], 'x.zip'))).toBe(true)
    expect(isZip(new Blob([], { type: 'application/x-zip-compressed' }))).toBe(true)
    expect(isZip(new Blob([], { type: 'text/plain' }))).toBe(false)
  })
})
