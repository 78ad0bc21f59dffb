import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { compressedFile, pickEncoding } from './compress.ts'

describe('pickEncoding', () => {
  it('prefers Brotli, then gzip, for text assets over 1 KiB', () => {
    expect(pickEncoding('gzip, deflate, br', '.js', 5000)).toBe('br')
    expect(pickEncoding('gzip, deflate', '.css', 5000)).toBe('gzip')
    expect(pickEncoding('br;q=0, gzip', '.html', 5000)).toBe('gzip')
    expect(pickEncoding('*', '.svg', 5000)).toBe('br')
  })

  it('sends identity for images, small files, no header, or nothing acceptable', () => {
    expect(pickEncoding('br', '.png', 5000)).toBeNull()
    expect(pickEncoding('br', '.js', 500)).toBeNull()
    expect(pickEncoding(undefined, '.js', 5000)).toBeNull()
    expect(pickEncoding('deflate, identity', '.js', 5000)).toBeNull()
    expect(pickEncoding('br;q=0, gzip;q=0', '.js', 5000)).toBeNull()
  })
})

describe('compressedFile', () => {
  it('round-trips both encodings, and a changed file is compressed again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'compress-'))
    try {
      const path = join(dir, 'a.js')
      const text = 'export const a = "hashcard";\n'.repeat(400)
      await writeFile(path, text)
      const stamp = { size: text.length, mtimeMs: 1 }
      const br = await compressedFile(path, stamp, 'br')
      expect(br.length).toBeLessThan(text.length / 10)
      expect(brotliDecompressSync(br).toString()).toBe(text)
      expect(gunzipSync(await compressedFile(path, stamp, 'gzip')).toString()).toBe(text)
      // Cached by stamp: the same stamp gives the same buffer…
      expect(await compressedFile(path, stamp, 'br')).toBe(br)
      // …a new one reads the file again.
      await writeFile(path, 'changed'.repeat(300))
      const again = await compressedFile(path, { size: 2100, mtimeMs: 2 }, 'br')
      expect(brotliDecompressSync(again).toString()).toBe('changed'.repeat(300))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
