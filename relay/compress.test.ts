import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { CompressedFiles, negotiate } from './compress.ts'

describe('content negotiation', () => {
  it('prefers Brotli, falls back to gzip, honours q=0', () => {
    expect(negotiate('gzip, deflate, br, zstd')).toBe('br')
    expect(negotiate('gzip, deflate')).toBe('gzip')
    expect(negotiate('br;q=0, gzip;q=0.5')).toBe('gzip')
    expect(negotiate('br;q=0, gzip;q=0')).toBe(null)
    expect(negotiate('*')).toBe('gzip')
    expect(negotiate('identity')).toBe(null)
    expect(negotiate(undefined)).toBe(null)
  })
})

describe('compressed files', () => {
  it('compresses once per file version and skips what does not shrink', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'compress-'))
    try {
      const text = Buffer.from('const hashcard = 1;\n'.repeat(5000))
      const path = join(dir, 'a.js')
      await writeFile(path, text)
      const files = new CompressedFiles()
      const file = { path, size: text.length, mtimeMs: (await stat(path)).mtimeMs }
      const br = await files.get(file, 'br')
      expect(br && brotliDecompressSync(br).equals(text)).toBe(true)
      expect(br!.length).toBeLessThan(text.length / 10)
      expect(await files.get(file, 'br')).toBe(br) // the cached copy
      const gz = await files.get(file, 'gzip')
      expect(gz && gunzipSync(gz).equals(text)).toBe(true)
      const noise = join(dir, 'b.wasm')
      const random = Buffer.from(crypto.getRandomValues(new Uint8Array(4096)))
      await writeFile(noise, random)
      expect(await files.get({ path: noise, size: 4096, mtimeMs: 1 }, 'br')).toBe(null)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('keeps its cache under its byte budget, least recently used out first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'compress-'))
    try {
      const files = new CompressedFiles(2500)
      const versions: Array<{ path: string; size: number; mtimeMs: number }> = []
      const made: Array<Buffer | null> = []
      for (let i = 0; i < 4; i++) {
        const path = join(dir, `${i}.js`)
        // ≈ 1 KiB gzipped each: distinct text.
        const text = Buffer.from(
          Array.from({ length: 400 }, (_, j) => `v${i}_${(j * 7919) % 1009}`).join(';'),
        )
        await writeFile(path, text)
        versions.push({ path, size: text.length, mtimeMs: 1 })
        made.push(await files.get(versions[i]!, 'gzip'))
        await new Promise((r) => setTimeout(r, 0))
      }
      expect(files.cachedBytes).toBeLessThanOrEqual(2500)
      expect(await files.get(versions[3]!, 'gzip')).toBe(made[3]) // kept
      const again = await files.get(versions[0]!, 'gzip') // evicted: made anew, same bytes
      expect(again).not.toBe(made[0])
      expect(again?.equals(made[0]!)).toBe(true)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
