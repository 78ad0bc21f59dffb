import { sha256 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkPath,
  decodeIndex,
  encodeIndex,
  HEADER_BYTES,
  indexLength,
  MAX_SITE_FILES,
  packSite,
  planSite,
  resolvePath,
  SiteArchiveError,
  stripCommonRoot,
  type TreeFile,
} from './archive.ts'
import { mimeOf } from './mime.ts'

const bytesOf = async (b: Blob) => new Uint8Array(await b.arrayBuffer())

/** A path segment: ASCII, spaces, dots inside, and some non-ASCII letters. */
const segment = fc
  .stringMatching(/^[a-zA-Z0-9 _.\-éü中]{1,12}$/)
  .filter((s) => s !== '.' && s !== '..')
/** A tree: unique paths, some nested, each with its bytes (some empty). */
const tree = fc
  .uniqueArray(
    fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
    {
      minLength: 1,
      maxLength: 12,
    },
  )
  // A path cannot be both a file and a folder of another path.
  .filter((ps) => !ps.some((p) => ps.some((q) => q.startsWith(`${p}/`))))
  .chain((paths) =>
    fc.tuple(
      fc.constant(paths),
      fc.array(fc.uint8Array({ maxLength: 300 }), {
        minLength: paths.length,
        maxLength: paths.length,
      }),
    ),
  )
  .map(([paths, contents]) => paths.map((path, i) => ({ path, bytes: contents[i] as Uint8Array })))

const filesOf = (t: { path: string; bytes: Uint8Array }[]): TreeFile[] =>
  t.map((f) => ({ path: f.path, blob: new Blob([f.bytes as Uint8Array<ArrayBuffer>]) }))

describe('site archive', () => {
  it('any tree round-trips: every file is at its offset, with its size, type and hash', async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (t) => {
        const { archive, index } = await packSite(filesOf(t), { entry: t[0]?.path as string })
        const bytes = await bytesOf(archive)
        const head = bytes.subarray(0, HEADER_BYTES + indexLength(bytes))
        const again = decodeIndex(head, bytes.length)
        expect(again.entries.map((e) => e.path)).toEqual(index.entries.map((e) => e.path))
        expect(again.entries.length).toBe(t.length)
        for (const f of t) {
          const e = again.get(f.path)
          expect(e).toBeDefined()
          if (!e) continue
          expect(bytes.subarray(e.offset, e.offset + e.size)).toEqual(f.bytes)
          expect(e.sha256).toEqual(sha256(f.bytes))
          expect(e.mime).toBe(mimeOf(f.path))
        }
      }),
      { numRuns: 150 },
    )
  })

  it('any byte range of any file reads exactly from the archive', async () => {
    await fc.assert(
      fc.asyncProperty(tree, fc.nat(), fc.nat(), fc.nat(), async (t, pick, x, y) => {
        const { archive, index } = await packSite(filesOf(t), { entry: t[0]?.path as string })
        const f = t[pick % t.length] as { path: string; bytes: Uint8Array }
        const e = index.get(f.path)
        if (!e) throw new Error('missing entry')
        const a = f.bytes.length ? x % (f.bytes.length + 1) : 0
        const b = a + (f.bytes.length - a ? y % (f.bytes.length - a + 1) : 0)
        const got = await bytesOf(archive.slice(e.offset + a, e.offset + b))
        expect(got).toEqual(f.bytes.subarray(a, b))
      }),
      { numRuns: 150 },
    )
  })

  it('packing is deterministic: the same tree in any order gives the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        tree.chain((t) =>
          fc.tuple(fc.constant(t), fc.shuffledSubarray(t, { minLength: t.length })),
        ),
        async ([t, shuffled]) => {
          const entry = t[0]?.path as string
          const one = await bytesOf((await packSite(filesOf(t), { entry })).archive)
          const two = await bytesOf((await packSite(filesOf(shuffled), { entry })).archive)
          expect(two).toEqual(one)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('the decoder throws only SiteArchiveError on any input, and refuses every flipped header byte', async () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (junk) => {
        const withMagic = new Uint8Array([...new TextEncoder().encode('HCSITE01'), ...junk])
        for (const b of [junk, withMagic]) {
          try {
            decodeIndex(b)
          } catch (err) {
            expect(err).toBeInstanceOf(SiteArchiveError)
          }
        }
      }),
    )
    const { archive } = await packSite(
      filesOf([
        { path: 'a.html', bytes: new Uint8Array([1, 2, 3]) },
        { path: 'b.css', bytes: new Uint8Array([4]) },
      ]),
      { entry: 'a.html' },
    )
    const bytes = await bytesOf(archive)
    const len = indexLength(bytes)
    const original = decodeIndex(bytes, bytes.length)
    const shape = (i: ReturnType<typeof decodeIndex>) =>
      JSON.stringify(i.entries.map((e) => [e.path, e.mime, e.offset, e.size]))
    // The hashes only name the content; every other byte of the header and index is checked:
    // flipping it is refused, or (a letter of a path or type) gives a different tree.
    const hashes = new Set<number>()
    let at = 16
    for (let i = 0; i < original.entries.length; i++) {
      at += 2 + (bytes[at + 1] as number)
      at += 1 + (bytes[at] as number) + 16
      for (let k = 0; k < 32; k++) hashes.add(at + k)
      at += 32
    }
    for (let i = 0; i < HEADER_BYTES + len; i++) {
      if (hashes.has(i)) continue
      const bad = bytes.slice()
      bad[i] = (bad[i] as number) ^ 0x01
      let changed: boolean
      try {
        changed = shape(decodeIndex(bad, bytes.length)) !== shape(original)
      } catch (err) {
        expect(err).toBeInstanceOf(SiteArchiveError)
        changed = true
      }
      expect(changed, `byte ${i}`).toBe(true)
    }
  })

  it('refuses files out of order, repeated, overlapping or not ending at the archive end', () => {
    const sha = new Uint8Array(32)
    const row = (path: string, size: number) => ({
      path,
      size,
      mime: 'text/plain; charset=utf-8',
      sha256: sha,
    })
    const ok = encodeIndex([row('a', 1), row('b', 2)])
    expect(decodeIndex(ok, ok.length + 3).entries.map((e) => [e.path, e.offset])).toEqual([
      ['a', ok.length],
      ['b', ok.length + 1],
    ])
    expect(() => decodeIndex(ok, ok.length + 4)).toThrow(/invalid index/)
    expect(() => decodeIndex(encodeIndex([row('b', 1), row('a', 2)]))).toThrow(SiteArchiveError)
    expect(() => decodeIndex(encodeIndex([row('a', 1), row('a', 2)]))).toThrow(SiteArchiveError)
    const moved = ok.slice()
    // The second file's offset (u64 after its path and type): claim it overlaps the first.
    const second = 16 + (2 + 1 + 1 + 25 + 48) + 2 + 1 + 1 + 25
    expect(new DataView(moved.buffer).getBigUint64(second)).toBe(1n)
    new DataView(moved.buffer).setBigUint64(second, 0n)
    expect(() => decodeIndex(moved)).toThrow(/offset 0, expected 1/)
  })
})

describe('site paths', () => {
  it.each([
    ['../secret', /leaves the site/],
    ['a/../../b', /leaves the site/],
    ['/etc/passwd', /absolute path/],
    ['C:/Windows/win.ini', /absolute path/],
    ['a\\b.html', /backslash/],
    ['a//b', /empty or "\." folder/],
    ['./a', /empty or "\." folder/],
    ['a/', /empty or "\." folder/],
    ['a\u0000b', /control character/],
    ['', /no name/],
    ['x'.repeat(1025), /longer than 1024 bytes/],
  ])('refuses %j', (path, message) => {
    expect(() => checkPath(path)).toThrow(SiteArchiveError)
    expect(() => checkPath(path)).toThrow(message)
  })

  it('refuses more than 10,000 files, duplicates, a missing entry or fallback, no files', () => {
    const many = Array.from({ length: MAX_SITE_FILES + 1 }, (_, i) => ({ path: `f${i}.txt` }))
    expect(() => planSite(many, { entry: 'f0.txt' })).toThrow(
      'The site has 10001 files; at most 10000 are allowed.',
    )
    expect(planSite(many.slice(0, MAX_SITE_FILES), { entry: 'f0.txt' })).toHaveLength(
      MAX_SITE_FILES,
    )
    expect(() => planSite([{ path: 'a.html' }, { path: 'a.html' }], { entry: 'a.html' })).toThrow(
      '"a.html" appears twice in the site.',
    )
    expect(() => planSite([{ path: 'a.html' }], { entry: 'index.html' })).toThrow(
      'The entry page "index.html" is not in the site.',
    )
    expect(() => planSite([{ path: 'a.html' }], { entry: 'a.html', fallback: '200.html' })).toThrow(
      'The fallback page "200.html" is not in the site.',
    )
    expect(() => planSite([], { entry: 'a.html' })).toThrow('The site has no files.')
    expect(() => planSite([{ path: '../a.html' }], { entry: 'a.html' })).toThrow(/leaves the site/)
  })

  it('strips the one folder a dropped folder or ZIP puts every file under', () => {
    expect(stripCommonRoot(['s/a.html', 's/b/c.css'])).toEqual(['a.html', 'b/c.css'])
    expect(stripCommonRoot(['s/a.html', 't/b.css'])).toEqual(['s/a.html', 't/b.css'])
    expect(stripCommonRoot(['a.html'])).toEqual(['a.html'])
    expect(stripCommonRoot(['s/a.html', 'sx/b.css'])).toEqual(['s/a.html', 'sx/b.css'])
  })

  it('resolves request paths: entry, folders, files, fallback, else nothing', async () => {
    const { index } = await packSite(
      filesOf(
        ['index.html', 'about/index.html', 'app.js', 'docs/intro.html'].map((path) => ({
          path,
          bytes: new TextEncoder().encode(path),
        })),
      ),
      { entry: 'index.html' },
    )
    const site = { entry: 'index.html' }
    const at = (p: string, s: { entry: string; fallback?: string } = site) =>
      resolvePath(index, p, s)?.path
    expect(at('/')).toBe('index.html')
    expect(at('')).toBe('index.html')
    expect(at('/app.js')).toBe('app.js')
    expect(at('/about/')).toBe('about/index.html')
    expect(at('/about')).toBe('about/index.html')
    expect(at('/docs/intro.html')).toBe('docs/intro.html')
    expect(at('/nope')).toBeUndefined()
    expect(at('/docs/')).toBeUndefined()
    expect(at('/route/deep', { entry: 'index.html', fallback: 'index.html' })).toBe('index.html')
  })
})
