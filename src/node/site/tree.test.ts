import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { SiteArchiveError } from '../../shared/errors/site.ts'
import { MAX_SITE_FILES } from '../../shared/site/archive.ts'
import { siteTree } from './tree.ts'

const text = async (b: Blob) => new TextDecoder().decode(await b.arrayBuffer())
const zipBlob = (files: Record<string, Uint8Array>, level: 0 | 6 = 6) =>
  new Blob([zipSync(files, { level }) as Uint8Array<ArrayBuffer>])

describe('siteTree', () => {
  it('reads a ZIP (stored or deflated), drops folders, macOS junk and the common folder', async () => {
    for (const level of [0, 6] as const) {
      const zip = zipBlob(
        {
          'site/index.html': strToU8('<h1>hi</h1>'),
          'site/css/a.css': strToU8('body{}'),
          'site/.DS_Store': strToU8('junk'),
          '__MACOSX/site/._index.html': strToU8('junk'),
        },
        level,
      )
      const tree = await siteTree({ zip, entry: 'index.html' })
      expect(tree.map((f) => f.path).sort()).toEqual(['css/a.css', 'index.html'])
      const index = tree.find((f) => f.path === 'index.html')
      expect(index && (await text(index.blob))).toBe('<h1>hi</h1>')
    }
  })

  it('takes a folder as its files, common folder dropped', async () => {
    const tree = await siteTree({
      entry: 'index.html',
      files: [
        { path: 'mysite/index.html', file: new Blob(['x']) },
        { path: 'mysite/a/b.js', file: new Blob(['y']) },
      ],
    })
    expect(tree.map((f) => f.path)).toEqual(['index.html', 'a/b.js'])
  })

  it('refuses what is not a ZIP, an empty ZIP, too many files, and both or neither input', async () => {
    await expect(siteTree({ zip: new Blob(['not a zip at all']), entry: 'i' })).rejects.toThrow(
      SiteArchiveError,
    )
    await expect(siteTree({ zip: zipBlob({}), entry: 'i' })).rejects.toThrow(
      'The ZIP holds no files.',
    )
    const many: Record<string, Uint8Array> = {}
    for (let i = 0; i <= MAX_SITE_FILES; i++) many[`f${i}`] = new Uint8Array(0)
    await expect(siteTree({ zip: zipBlob(many, 0), entry: 'f0' })).rejects.toThrow(
      `The ZIP holds more than ${MAX_SITE_FILES} files`,
    )
    await expect(siteTree({ entry: 'i' })).rejects.toThrow('give exactly one')
  })
})
